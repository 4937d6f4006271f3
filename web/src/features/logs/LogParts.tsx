/** Small pieces every log view shares: the severity badge, the event mark, a record's one-line text. */
import type { LogRecordJson } from "../../../../src/protocol";
import { BytesNote } from "../../components/BytesNote";
import { UserText } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { bodyLine } from "./log-body";
import { logEventName } from "./log-event";
import { severityBadgeText, severityLevelText, severityStyle } from "./severity";

export function SeverityBadge({
  record,
}: {
  record: Pick<LogRecordJson, "severity" | "severityNumber" | "severityText">;
}) {
  const level = record.severity === "UNSPECIFIED" ? "no level" : `level ${severityLevelText(record)}`;
  const said = record.severityText.trim() === "" ? "" : `"${record.severityText}" as sent, `;
  return (
    <span
      class="sev-badge"
      style={severityStyle(record.severity)}
      data-severity={record.severity}
      title={showBidiControls(`${said}${level}, severity number ${record.severityNumber}`)}
    >
      <UserText text={severityBadgeText(record)} />
    </span>
  );
}

/** Marks a record that is an event (it has an event name: `eventName`, or an `event.name` attribute). */
export function EventMark() {
  return (
    <span class="log-event-mark" title="An event: a log record with an event name" role="img" aria-label="event">
      <svg width="11" height="11" viewBox="0 0 16 16" aria-hidden="true" fill="currentColor">
        <path d="M9.5 1 3 9h4.2L6 15l7-8.4H8.6z" />
      </svg>
    </span>
  );
}

/** A record on one line: an event's name first, then the body (text as text, structures as compact JSON). */
export function LogLine({ record }: { record: LogRecordJson }) {
  const text = bodyLine(record.body);
  const eventName = logEventName(record);
  return (
    <>
      {eventName !== undefined && (
        <>
          <EventMark />
          <span class="log-event-name">
            <UserText text={eventName} />
          </span>{" "}
        </>
      )}
      <span class={record.body !== null && typeof record.body === "object" ? "log-line mono" : "log-line"}>
        {text === "" && eventName === undefined ? (
          <span class="faint">(no body)</span>
        ) : (
          <>
            {record.bytes?.body === true && typeof record.body === "string" && (
              <>
                <BytesNote base64={record.body} />{" "}
              </>
            )}
            <UserText text={text} />
          </>
        )}
      </span>
    </>
  );
}
