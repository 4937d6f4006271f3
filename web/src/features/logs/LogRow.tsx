import type { LogRecordJson } from "../../../../src/protocol";
import { UserText } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { shortId } from "../../lib/format";
import { openInApp } from "../../lib/in-app-link";
import { serviceColor } from "../../lib/service-color";
import { LogLine, SeverityBadge } from "./LogParts";
import { logEventName } from "./log-event";
import { traceOfLogHref } from "./log-filters";
import { logStamp, logTimeExact } from "./log-time";
import { severityStyle } from "./severity";

export interface LogRowProps {
  record: LogRecordJson;
  /** Local midnight of today (unix ms): records of other days show their date. */
  todayStartMs: number;
  selected: boolean;
  onSelect(): void;
  onOpenTrace(href: string): void;
}

/** One record in the Logs page's list: time, level, service, the body on one line, its trace. */
export function LogRow({ record, todayStartMs, selected, onSelect, onOpenTrace }: LogRowProps) {
  const traceHref = traceOfLogHref(record);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard selects rows page-wide (j/k, arrows)
    // biome-ignore lint/a11y/useFocusableInteractive: the list keeps focus and names this row its active descendant; a focusable row would take focus on a click and keep its ring while j/k move on
    <div
      id={`log-${record.id}`}
      class={`log-row${selected ? " selected" : ""}${logEventName(record) !== undefined ? " event" : ""}`}
      role="option"
      aria-selected={selected}
      data-log-id={record.id}
      data-severity={record.severity}
      style={severityStyle(record.severity)}
      onClick={onSelect}
    >
      <span class="log-col-time mono" title={logTimeExact(record.timeUnixNano)}>
        {logStamp(record.timeUnixNano, todayStartMs)}
      </span>
      <span class="log-col-sev">
        <SeverityBadge record={record} />
      </span>
      <span class="log-col-service" title={showBidiControls(record.service)}>
        <span class="service-dot" style={{ background: serviceColor(record.service) }} />
        <span class="log-service-name">
          <UserText text={record.service} />
        </span>
      </span>
      <span class="log-col-body">
        <LogLine record={record} />
      </span>
      <span class="log-col-trace">
        {traceHref && record.traceId && (
          <a
            href={traceHref}
            class="mono"
            title="Open its trace with its span selected"
            onClick={(event) => {
              event.stopPropagation();
              openInApp(event, () => onOpenTrace(traceHref));
            }}
          >
            {shortId(record.traceId)} ↗
          </a>
        )}
      </span>
    </div>
  );
}
