import type { SnapshotSummaryJson } from "../../../../src/protocol";
import { formatAbsolute, formatClock, formatRelative } from "../../lib/format";
import { openInApp } from "../../lib/in-app-link";
import { serviceColor } from "../../lib/service-color";
import { placeTitle, whereText } from "./code-place";
import { capturedAtMs } from "./snapshot-feed";

export interface SnapshotRowProps {
  snapshot: SnapshotSummaryJson;
  selected: boolean;
  nowMs: number;
  onSelect(): void;
  onOpen(): void;
}

/**
 * One captured snapshot in the list: when (the clock time, to match against the request; captures
 * come in bursts, where "just now" tells nothing apart), which breakpoint, where, and what it holds.
 */
export function SnapshotRow({ snapshot: s, selected, nowMs, onSelect, onOpen }: SnapshotRowProps) {
  const at = capturedAtMs(s);
  return (
    <a
      href={`/snapshots/${encodeURIComponent(s.id)}`}
      id={`snapshot-${s.id}`}
      class={`snap-row${selected ? " selected" : ""}`}
      role="option"
      aria-selected={selected}
      data-snapshot-id={s.id}
      onMouseDown={onSelect}
      onClick={(event) => openInApp(event, onOpen)}
    >
      <span class="snap-col-time" title={`${formatAbsolute(at)} · ${formatRelative(at, nowMs)}`}>
        {formatClock(at).slice(0, 8)}
      </span>
      <span class="snap-col-label">{s.label || "(no label)"}</span>
      <span class="snap-col-service">
        <span class="service-chip">
          <span class="service-dot" style={{ background: serviceColor(s.service) }} />
          {s.service}
        </span>
      </span>
      <span class="snap-col-where mono faint" title={placeTitle(s)}>
        {whereText(s)}
      </span>
      <span class="snap-col-vars mono" title={s.variableNames.join(", ")}>
        {s.variableNames.join(", ")}
      </span>
      <span class="snap-col-flags">
        {s.securityFlagCount > 0 && (
          <span class="badge warn" title="The SDK flagged (and redacted) sensitive values">
            {s.securityFlagCount} flag{s.securityFlagCount === 1 ? "" : "s"}
          </span>
        )}
      </span>
      <span class="snap-col-trace faint">{s.traceId === null ? "no trace" : "in trace"}</span>
    </a>
  );
}
