import type { LogRecordJson } from "../../../../src/protocol";
import { formatCount } from "../../lib/format";
import { LogLine, SeverityBadge } from "./LogParts";
import { logsOfTraceHref } from "./log-filters";
import { logClock, logTimeExact } from "./log-time";
import { severityStyle } from "./severity";
import type { SpanLogMark } from "./trace-logs";
import "./logs.css";

/**
 * The small mark a waterfall row shows when its span has logs: their count (the span's own, which the
 * trace's logs panel, counting the whole trace, may pass), in the worst level's colour.
 */
export function LogMark({ mark }: { mark: SpanLogMark }) {
  const what = `${formatCount(mark.count)} log record${mark.count === 1 ? "" : "s"} in this span`;
  return (
    <span
      class="tv-log-mark"
      data-log-mark={mark.worst}
      style={severityStyle(mark.worst)}
      title={`${what}${mark.worst === "UNSPECIFIED" ? "" : `, the worst ${mark.worst}`}`}
      role="img"
      aria-label={what}
    >
      <svg
        width="11"
        height="11"
        viewBox="0 0 16 16"
        aria-hidden="true"
        fill="none"
        stroke="currentColor"
        stroke-width="1.6"
      >
        <path d="M3 4h10M3 8h10M3 12h6" />
      </svg>
      {mark.count > 1 && <span class="tv-log-count">{formatCount(mark.count)}</span>}
    </span>
  );
}

/** Logs listed in a span's details; more are a link away. */
const MAX_SHOWN = 20;

/** The span's own logs in its details, oldest first, each linking to itself on the Logs page. */
export function SpanLogs({
  logs,
  traceId,
  spanId,
}: {
  logs: readonly LogRecordJson[];
  traceId: string;
  spanId: string;
}) {
  const shown = logs.slice(0, MAX_SHOWN);
  const nowMs = Date.now();
  return (
    <details class="tv-section" open data-testid="span-logs">
      {/* "of this span": the trace's logs panel below counts the whole trace's. */}
      <summary>
        Logs of this span <span class="faint">{formatCount(logs.length)}</span>
      </summary>
      <ul class="tv-section-body span-logs">
        {shown.map((record) => (
          <li key={record.id} data-log-id={record.id} class="span-log">
            <a
              href={logsOfTraceHref(traceId, spanId, record.id)}
              class="span-log-link"
              title={`${logTimeExact(record.timeUnixNano)}: open on the Logs page`}
            >
              <span class="mono faint">{logClock(record.timeUnixNano, nowMs)}</span>
              <SeverityBadge record={record} />
            </a>
            <span class="span-log-text">
              <LogLine record={record} />
            </span>
          </li>
        ))}
      </ul>
      <a class="span-logs-all" href={logsOfTraceHref(traceId, spanId)} data-testid="span-logs-all">
        {logs.length > MAX_SHOWN
          ? `All ${formatCount(logs.length)} logs of this span`
          : "This span's logs on the Logs page"}{" "}
        →
      </a>
    </details>
  );
}
