import type { SnapshotSummaryJson } from "../../../../src/protocol";
import "./snapshots.css";
import { formatAbsolute } from "../../lib/format";
import { capturedAtMs } from "./snapshot-feed";
import { topVariables } from "./trace-snapshots";

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

/** The span's snapshots in its details: label, time, the first variables, a link to each. */
export function SpanSnapshots({ snapshots }: { snapshots: readonly SnapshotSummaryJson[] }) {
  return (
    <details class="tv-section" open data-testid="span-snapshots">
      <summary>
        Snapshots <span class="faint">{snapshots.length}</span>
      </summary>
      <ul class="tv-section-body span-snapshots">
        {snapshots.map((snapshot) => {
          const vars = topVariables(snapshot.variableNames);
          return (
            <li key={snapshot.id}>
              <a href={`/snapshots/${encodeURIComponent(snapshot.id)}`} class="span-snapshot-label">
                {snapshot.label || "(no label)"}
              </a>{" "}
              <span class="faint">
                {formatAbsolute(capturedAtMs(snapshot)).slice(11)} · {snapshot.functionName || "(anonymous)"}:
                {snapshot.lineNumber}
              </span>
              {snapshot.securityFlagCount > 0 && <span class="badge warn"> {snapshot.securityFlagCount} flagged</span>}
              <div class="span-snapshot-vars mono">
                {vars.names.length === 0 ? <span class="faint">no variables</span> : vars.names.join(", ")}
                {vars.more > 0 && <span class="faint"> +{vars.more} more</span>}
              </div>
            </li>
          );
        })}
      </ul>
    </details>
  );
}
