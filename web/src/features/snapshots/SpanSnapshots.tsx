import type { ComponentChild } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { SnapshotJson, SnapshotSummaryJson } from "../../../../src/protocol";
import { api } from "../../api/client";
import { UserText } from "../../components/UserText";
import "./snapshots.css";
import { formatClock } from "../../lib/format";
import { whereText } from "./code-place";
import { RedactedValue, SecretValue } from "./SecretValue";
import { capturedAtMs } from "./snapshot-feed";
import { previewVariables, topVariables, type VariablePreview } from "./trace-snapshots";

/** The small camera a waterfall row shows when its span has snapshots. */
export function SnapshotMark({ count }: { count: number }) {
  return (
    <span
      class="tv-snapshot-mark"
      data-snapshot-mark
      title={`${count} snapshot${count === 1 ? "" : "s"} captured in this span`}
      role="img"
      aria-label={`${count} snapshot${count === 1 ? "" : "s"}`}
    >
      <svg
        width="12"
        height="12"
        viewBox="0 0 16 16"
        aria-hidden="true"
        fill="none"
        stroke="currentColor"
        stroke-width="1.5"
      >
        <path d="M2 5.5A1.5 1.5 0 0 1 3.5 4h1.6l1.2-1.5h3.4L10.9 4h1.6A1.5 1.5 0 0 1 14 5.5v6a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 11.5z" />
        <circle cx="8" cy="8.5" r="2.3" />
      </svg>
      {count > 1 && <span class="tv-snapshot-count">{count}</span>}
    </span>
  );
}

/** Snapshots listed in full in a span's details; more are counted. */
const MAX_SHOWN = 5;

/** The full snapshots (for their variables' values), fetched when a span with snapshots is selected. */
function useSnapshotValues(ids: readonly string[]): ReadonlyMap<string, SnapshotJson> {
  const [loaded, setLoaded] = useState<ReadonlyMap<string, SnapshotJson>>(new Map());
  const key = ids.join(",");
  useEffect(() => {
    const controller = new AbortController();
    for (const id of ids) {
      api.snapshot(id, controller.signal).then(
        (snapshot) => setLoaded((old) => new Map(old).set(id, snapshot)),
        () => {},
      );
    }
    return () => controller.abort();
  }, [key]);
  return loaded;
}

function VariableLine({ preview }: { preview: VariablePreview }) {
  const plain = (
    <span class="span-snapshot-value">
      <UserText text={preview.text} />
    </span>
  );
  let value: ComponentChild = plain;
  if (preview.redacted !== null) value = <RedactedValue kind={preview.redacted} />;
  else if (preview.secret) value = <SecretValue finding={preview.secret}>{() => plain}</SecretValue>;
  return (
    <div class="span-snapshot-var mono">
      <span class="span-snapshot-name">
        <UserText text={preview.name} />
      </span>{" "}
      {value}
    </div>
  );
}

/** The span's snapshots in its details: label, time, the first variables, a link to each. */
export function SpanSnapshots({ snapshots }: { snapshots: readonly SnapshotSummaryJson[] }) {
  const shown = snapshots.slice(0, MAX_SHOWN);
  const values = useSnapshotValues(shown.map((s) => s.id));
  return (
    <details class="tv-section" open data-testid="span-snapshots">
      <summary>
        Snapshots <span class="faint">{snapshots.length}</span>
      </summary>
      <ul class="tv-section-body span-snapshots">
        {shown.map((snapshot) => {
          const full = values.get(snapshot.id);
          const previews = full ? previewVariables(full.variables) : [];
          const names = topVariables(snapshot.variableNames, previews.length > 0 ? previews.length : 5);
          return (
            <li key={snapshot.id}>
              <a href={`/snapshots/${encodeURIComponent(snapshot.id)}`} class="span-snapshot-label">
                {snapshot.label === "" ? "(no label)" : <UserText text={snapshot.label} />}
              </a>{" "}
              <span class="faint">
                {formatClock(capturedAtMs(snapshot))} · <UserText text={whereText(snapshot, true)} />
              </span>
              {snapshot.securityFlagCount > 0 && <span class="badge warn">{snapshot.securityFlagCount} flagged</span>}
              {previews.length > 0 ? (
                previews.map((preview) => <VariableLine key={preview.name} preview={preview} />)
              ) : (
                <div class="span-snapshot-var mono">
                  {names.names.length === 0 ? (
                    <span class="faint">no variables</span>
                  ) : (
                    <UserText text={names.names.join(", ")} />
                  )}
                </div>
              )}
              {names.more > 0 && (
                <a class="span-snapshot-more" href={`/snapshots/${encodeURIComponent(snapshot.id)}`}>
                  +{names.more} more variable{names.more === 1 ? "" : "s"}
                </a>
              )}
            </li>
          );
        })}
      </ul>
      {snapshots.length > MAX_SHOWN && (
        <p class="faint">
          {snapshots.length - MAX_SHOWN} more in this span:{" "}
          <a href={`/snapshots?service=${encodeURIComponent(shown[0]?.service ?? "")}`}>all snapshots</a>
        </p>
      )}
    </details>
  );
}
