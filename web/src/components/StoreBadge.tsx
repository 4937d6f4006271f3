import { formatCount } from "../lib/format";
import { useLiveState } from "../state/live-context";
import { storeLabel } from "./store-text";

/** Beside Live: where the server keeps the data, memory or its `--db` file (the whole path in the title). */
export function StoreBadge() {
  const { storage } = useLiveState();
  if (storage === null) return null;
  const { text, title } = storeLabel(storage);
  return (
    <span class="store-badge" title={title} data-testid="store-badge" data-store={storage.kind}>
      {text}
    </span>
  );
}

/** The Set up page's sentence on where the data is kept, under its intro (nothing until health answered). */
export function StoreNote() {
  const { storage } = useLiveState();
  if (storage === null) return null;
  return (
    <p class="muted" data-testid="store-note">
      {storage.kind === "memory" ? (
        <>
          It keeps what it receives in memory, up to {formatCount(storage.maxSpans)} spans, until it stops; start it
          with <code>--db FILE</code> to keep it across restarts.
        </>
      ) : storage.path === undefined ? (
        <>
          It keeps what it receives in the SQLite file given with <code>--db</code>, across restarts.
        </>
      ) : (
        <>
          It keeps what it receives in the SQLite file <code>{storage.path}</code> (<code>--db</code>), across restarts.
        </>
      )}
    </p>
  );
}
