import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../../api/client";
import { importDroppedFile } from "./import-file";
import { carriesFiles, type ImportOutcome, importFailure, importingNotice, importOutcome } from "./import-summary";
import "./import-drop.css";

/**
 * Files dropped anywhere on the page are imported (POST /api/import, one file at a time, a large one
 * in parts: see import-file.ts); an overlay
 * shows while files are dragged over the page, and a notice says what each import stored or why it
 * failed. Files dropped while others import wait their turn (the notice names them), so that their
 * requests never interleave and one notice tells of them all. What was stored arrives in the open
 * pages through the live connection like any export.
 */
export function ImportDrop() {
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [outcomes, setOutcomes] = useState<ImportOutcome[]>([]);
  /** Files dropped and not started yet; the running import takes them in turn. */
  const queue = useRef<File[]>([]);
  /** The file importing and how far it is, or null when none is. */
  const importing = useRef<{ name: string; share: number | null } | null>(null);

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
      if (files.length > 0) enqueue(files);
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

  /** Files dropped while an import runs join its queue: the running one takes them after its own. */
  function enqueue(files: File[]) {
    queue.current.push(...files);
    if (importing.current !== null) showImporting();
    else void importQueued();
  }

  function showImporting() {
    const now = importing.current;
    const queued = queue.current.map((file) => file.name);
    setBusy(now === null ? null : importingNotice(now.name, now.share, queued));
  }

  async function importQueued() {
    const results: ImportOutcome[] = [];
    for (let file = queue.current.shift(); file !== undefined; file = queue.current.shift()) {
      const name = file.name;
      importing.current = { name, share: null };
      showImporting();
      try {
        const answer = await importDroppedFile(file, (share) => {
          importing.current = { name, share };
          showImporting();
        });
        results.push(importOutcome(name, answer));
      } catch (error) {
        results.push(importFailure(name, error instanceof ApiError ? error.message : String(error)));
      }
    }
    importing.current = null;
    setBusy(null);
    setOutcomes(results);
  }

  return (
    <>
      {dragging && (
        <div class="import-overlay" data-testid="import-overlay">
          <div class="import-overlay-box">
            Drop files to import them: OTLP JSON, JSON Lines or protobuf, or a Jaeger or Tempo JSON trace, gzipped or
            not
          </div>
        </div>
      )}
      {busy !== null && (
        <div class="import-notice" role="status" data-testid="import-busy">
          {busy}
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
