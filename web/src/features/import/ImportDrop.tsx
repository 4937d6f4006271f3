import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../../api/client";
import { importDroppedFile } from "./import-file";
import { carriesFiles, type ImportOutcome, importFailure, importOutcome } from "./import-summary";
import "./import-drop.css";

/**
 * Files dropped anywhere on the page are imported (POST /api/import, one file at a time, a large one
 * in parts: see import-file.ts); an overlay
 * shows while files are dragged over the page, and a notice says what each import stored or why it
 * failed. What was stored arrives in the open pages through the live connection like any export.
 */
export function ImportDrop() {
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [outcomes, setOutcomes] = useState<ImportOutcome[]>([]);

  useEffect(() => {
    // dragenter/dragleave fire for every child crossed; counting them tells when the page is left.
    let depth = 0;
    const types = (event: DragEvent) => [...(event.dataTransfer?.types ?? [])];
    const onEnter = (event: DragEvent) => {
      if (!carriesFiles(types(event))) return;
      depth++;
      setDragging(true);
    };
    const onLeave = (event: DragEvent) => {
      if (!carriesFiles(types(event))) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onOver = (event: DragEvent) => {
      if (!carriesFiles(types(event))) return;
      // Without this the browser opens the file instead of dropping it here.
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
    };
    const onDrop = (event: DragEvent) => {
      if (!carriesFiles(types(event))) return;
      event.preventDefault();
      depth = 0;
      setDragging(false);
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length > 0) void importAll(files);
    };
    window.addEventListener("dragenter", onEnter);
    window.addEventListener("dragleave", onLeave);
    window.addEventListener("dragover", onOver);
    window.addEventListener("drop", onDrop);
    return () => {
      window.removeEventListener("dragenter", onEnter);
      window.removeEventListener("dragleave", onLeave);
      window.removeEventListener("dragover", onOver);
      window.removeEventListener("drop", onDrop);
    };
  }, []);

  async function importAll(files: File[]) {
    const results: ImportOutcome[] = [];
    for (const file of files) {
      setBusy(file.name);
      try {
        const answer = await importDroppedFile(file, (share) =>
          setBusy(`${file.name} (${Math.min(99, Math.floor(share * 100))}%)`),
        );
        results.push(importOutcome(file.name, answer));
      } catch (error) {
        results.push(importFailure(file.name, error instanceof ApiError ? error.message : String(error)));
      }
    }
    setBusy(null);
    setOutcomes(results);
  }

  return (
    <>
      {dragging && (
        <div class="import-overlay" data-testid="import-overlay">
          <div class="import-overlay-box">Drop OTLP files to import them (JSON, JSON Lines, protobuf, gzip)</div>
        </div>
      )}
      {busy !== null && (
        <div class="import-notice" role="status">
          Importing {busy}…
        </div>
      )}
      {busy === null && outcomes.length > 0 && (
        <div class="import-notice" role="status" data-testid="import-result">
          <ul>
            {outcomes.map((outcome, i) => (
              <li key={i} class={`import-${outcome.tone}`}>
                {outcome.text}
              </li>
            ))}
          </ul>
          <button type="button" class="button" onClick={() => setOutcomes([])}>
            Dismiss
          </button>
        </div>
      )}
    </>
  );
}
