import type { SnapshotSummaryJson } from "../../../../src/protocol";
import { UserText } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatAbsolute, formatClock, formatRelative, shortId } from "../../lib/format";
import { openInApp } from "../../lib/in-app-link";
import { serviceColor } from "../../lib/service-color";
import { placeTitle, whereText } from "./code-place";
import { capturedAtMs } from "./snapshot-feed";
import { missingTraceText } from "./snapshot-text";
import { spanLink } from "./trace-snapshots";

export interface SnapshotRowProps {
  snapshot: SnapshotSummaryJson;
  selected: boolean;
  nowMs: number;
  /** Its trace is stored here: the trace column links to its span. */
  traceStored: boolean;
  onSelect(): void;
  onOpen(): void;
  onOpenTrace(href: string): void;
}

/** The trace column: a link to the span when the trace is here, else why there is none. */
function TraceCell({
  snapshot: s,
  stored,
  nowMs,
  onOpen,
}: {
  snapshot: SnapshotSummaryJson;
  stored: boolean;
  nowMs: number;
  onOpen(href: string): void;
}) {
  if (s.traceId === null) return <span class="snap-col-trace faint">no trace</span>;
  if (!stored) {
    const { text, title } = missingTraceText(s.traceId, capturedAtMs(s), nowMs);
    return (
      <span class="snap-col-trace faint" title={title}>
        {text}
      </span>
    );
  }
  const href = spanLink(s.traceId, s.spanId);
  return (
    <span class="snap-col-trace">
      <a
        href={href}
        class="mono"
        title={`Open trace ${s.traceId}${s.spanId === null ? "" : ` at span ${s.spanId}`}`}
        data-testid="snapshot-trace-link"
        onMouseDown={(event) => event.stopPropagation()}
        onClick={(event) => {
          event.stopPropagation();
          openInApp(event, () => onOpen(href));
        }}
      >
        {shortId(s.traceId)} ↗
      </a>
    </span>
  );
}

/**
 * One captured snapshot in the list: when (the clock time, to match against the request; captures
 * come in bursts, where "just now" tells nothing apart), which breakpoint, where, and what it holds.
 * The row opens the snapshot; its time is a plain link to it too (for a new tab), and its trace
 * column links to the span it was taken in.
 */
export function SnapshotRow({
  snapshot: s,
  selected,
  nowMs,
  traceStored,
  onSelect,
  onOpen,
  onOpenTrace,
}: SnapshotRowProps) {
  const at = capturedAtMs(s);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard selects and opens rows page-wide (j/k, Enter)
    <div
      id={`snapshot-${s.id}`}
      class={`snap-row${selected ? " selected" : ""}`}
      role="option"
      tabIndex={-1}
      aria-selected={selected}
      data-snapshot-id={s.id}
      onMouseDown={onSelect}
      onClick={(event) => openInApp(event, onOpen)}
    >
      <a
        href={`/snapshots/${encodeURIComponent(s.id)}`}
        class="snap-col-time"
        title={`${formatAbsolute(at)} · ${formatRelative(at, nowMs)}`}
        onClick={(event) => openInApp(event, onOpen)}
      >
        {formatClock(at).slice(0, 8)}
      </a>
      <span class="snap-col-label">{s.label === "" ? "(no label)" : <UserText text={s.label} />}</span>
      <span class="snap-col-service">
        <span class="service-chip">
          <span class="service-dot" style={{ background: serviceColor(s.service) }} />
          <UserText text={s.service} />
        </span>
      </span>
      <span class="snap-col-where mono faint" title={placeTitle(s)}>
        <UserText text={whereText(s)} />
      </span>
      <span class="snap-col-vars mono" title={showBidiControls(s.variableNames.join(", "))}>
        <UserText text={s.variableNames.join(", ")} />
      </span>
      <span class="snap-col-flags">
        {s.securityFlagCount > 0 && (
          <span class="badge warn" title="The SDK flagged (and redacted) sensitive values">
            {s.securityFlagCount} flag{s.securityFlagCount === 1 ? "" : "s"}
          </span>
        )}
      </span>
      <TraceCell snapshot={s} stored={traceStored} nowMs={nowMs} onOpen={onOpenTrace} />
    </div>
  );
}
