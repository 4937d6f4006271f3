import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import type { TraceSummaryJson } from "../../../../src/protocol";
import { api } from "../../api/client";
import { isDialogOpen } from "../../components/keyboard";
import { withBidiMarks } from "../../components/UserText";
import { operationNameFilter, operationNameOf, previousRun } from "./compare-model";

/** How many trace list pages (of 200) are searched for an earlier run of the operation. */
const MAX_PAGES = 5;

/** "Compare" in a trace's header: with the previous run of its operation, or with any trace id. */
export function CompareMenu({
  current,
}: {
  current: Pick<TraceSummaryJson, "traceId" | "name" | "service" | "startTimeUnixNano">;
}) {
  const { route } = useLocation();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [otherId, setOtherId] = useState("");
  const open = (a: string) => route(`/compare?a=${a}&b=${current.traceId}`);
  const menu = useRef<HTMLDetailsElement>(null);
  const [shown, setShown] = useState(false);
  // Escape closes the open popup, wherever focus is, before the trace page's own Escape (back to the
  // list) sees it: it listens on window in the capture phase, so it runs first, and the page's keys
  // skip a key already handled. Focus goes back to the button that opened it.
  useLayoutEffect(() => {
    if (!shown) return;
    const onKey = (event: KeyboardEvent) => {
      const details = menu.current;
      // Open now, not only when last drawn: the listener goes in an effect, which may run a frame late.
      if (event.key !== "Escape" || event.defaultPrevented || isDialogOpen() || details?.open !== true) return;
      details.open = false;
      details.querySelector("summary")?.focus();
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, [shown]);

  const comparePrevious = async () => {
    setBusy(true);
    setMessage(null);
    try {
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const list = await api.traces({
          name: operationNameFilter(current.name),
          service: current.service,
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        const found = previousRun(list.traces, current);
        if (found) return open(found.traceId);
        cursor = list.nextCursor;
        if (!cursor) break;
      }
      setMessage(`No earlier trace of “${operationNameOf(current.name)}” from ${current.service} is stored.`);
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details
      class="cmp-menu"
      ref={menu}
      onToggle={(event) => setShown((event.currentTarget as HTMLDetailsElement).open)}
    >
      <summary class="tv-link-button" title="Compare this trace with another run">
        Compare
      </summary>
      <div class="cmp-menu-body">
        <button type="button" class="button" disabled={busy} onClick={comparePrevious}>
          With the previous trace of this operation
        </button>
        <form
          class="cmp-menu-form"
          onSubmit={(event) => {
            event.preventDefault();
            const id = otherId.trim().toLowerCase();
            if (!/^[0-9a-f]{32}$/.test(id)) setMessage("A trace id is 32 hexadecimal digits.");
            else open(id);
          }}
        >
          <input
            class="input"
            aria-label="Trace id to compare with"
            placeholder="or a trace id (32 hex digits)"
            value={otherId}
            onInput={(event) => setOtherId((event.currentTarget as HTMLInputElement).value)}
          />
          <button type="submit" class="button">
            Compare
          </button>
        </form>
        {message && (
          <p class="cmp-menu-message" role="status">
            {withBidiMarks(message)}
          </p>
        )}
      </div>
    </details>
  );
}
