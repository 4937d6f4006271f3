import type { LogRecordJson } from "../../../../src/protocol";
import { CopyButton } from "../../components/CopyButton";
import { UserText } from "../../components/UserText";
import { serviceColor } from "../../lib/service-color";
import { PlainAttributes } from "../trace-view/AttributeTable";
import { ScopeSection, Section } from "../trace-view/SpanDetails";
import "../trace-view/trace-view.css";
import { LogBodyView } from "./LogBodyView";
import { EventMark, SeverityBadge } from "./LogParts";
import { droppedAttributesText, logFlagsText } from "./log-body";
import { logEventName } from "./log-event";
import { traceOfLogHref } from "./log-filters";
import { logTimeExact } from "./log-time";

export interface LogDetailsProps {
  record: LogRecordJson;
  zone: string;
  onClose(): void;
  /** Shows this page filtered to the record's trace. */
  onTraceLogs(traceId: string): void;
}

/** Everything about one record; `data-testid="log-details"` is a stable hook for tests. */
export function LogDetails({ record, zone, onClose, onTraceLogs }: LogDetailsProps) {
  const traceHref = traceOfLogHref(record);
  const observedDiffers = record.observedTimeUnixNano !== record.timeUnixNano;
  const eventName = logEventName(record);
  return (
    <aside class="log-details" data-testid="log-details" aria-label="Log record">
      <div class="log-details-head">
        {eventName !== undefined ? (
          <h2 class="log-details-title">
            <EventMark />{" "}
            <span class="log-event-name">
              <UserText text={eventName} />
            </span>{" "}
            <span class="badge" title="A log record with an event name">
              event
            </span>
          </h2>
        ) : (
          <h2 class="log-details-title">
            <SeverityBadge record={record} /> Log record
          </h2>
        )}
        <button type="button" class="icon-button" aria-label="Close (Esc)" title="Close (Esc)" onClick={onClose}>
          ✕
        </button>
      </div>
      <LogBodyView key={record.id} body={record.body} bytes={record.bytes?.body} dropped={record.droppedBodyEntries} />
      <dl class="tv-kv log-facts">
        <dt>Time</dt>
        <dd>
          <span class="mono">{logTimeExact(record.timeUnixNano)}</span> <span class="faint">{zone}</span>
        </dd>
        {observedDiffers && (
          <>
            <dt title="When the SDK or collector first saw the record">Observed</dt>
            <dd class="mono">{logTimeExact(record.observedTimeUnixNano)}</dd>
          </>
        )}
        <dt>Severity</dt>
        <dd>
          <SeverityBadge record={record} /> <span class="faint">number</span> {record.severityNumber}
          {record.severityText && (
            <>
              {" "}
              <span class="faint">text</span>{" "}
              <code>
                <UserText text={record.severityText} />
              </code>
            </>
          )}
        </dd>
        <dt>Service</dt>
        <dd>
          <span class="tv-service-chip">
            <span class="service-dot" style={{ background: serviceColor(record.service) }} />
            <UserText text={record.service} />
          </span>
        </dd>
        <dt>Trace</dt>
        {traceHref && record.traceId ? (
          <dd class="tv-id">
            <a href={traceHref} class="mono" data-testid="log-trace-link">
              {record.traceId}
            </a>
            <CopyButton text={record.traceId} label="Copy trace id" />
            <button type="button" class="tv-link-button" onClick={() => onTraceLogs(record.traceId as string)}>
              all logs of this trace
            </button>
          </dd>
        ) : (
          <dd class="faint">none (not written inside a span)</dd>
        )}
        {record.spanId && (
          <>
            <dt>Span</dt>
            <dd class="tv-id">
              {traceHref ? (
                <a
                  href={traceHref}
                  class="mono"
                  data-testid="log-span-link"
                  title="Open the trace with this span selected"
                >
                  {record.spanId}
                </a>
              ) : (
                <code>{record.spanId}</code>
              )}
              <CopyButton text={record.spanId} label="Copy span id" />
            </dd>
          </>
        )}
        {record.flags !== undefined && record.flags !== 0 && (
          <>
            <dt title="The W3C trace flags of the span it was written in">Flags</dt>
            <dd class="mono">{logFlagsText(record.flags)}</dd>
          </>
        )}
      </dl>
      <Section title="Attributes" count={Object.keys(record.attributes).length} copy={record.attributes}>
        {/* Above the table, which may be a thousand rows long: said where it is seen. */}
        {record.droppedAttributesCount ? (
          <p class="tv-empty" data-testid="log-dropped-attributes">
            {droppedAttributesText(record.droppedAttributesCount)}
          </p>
        ) : null}
        <PlainAttributes
          attributes={record.attributes}
          hook="data-attr-key"
          bytesKeys={record.bytes?.attributes}
          search="logs"
        />
      </Section>
      <Section title="Resource" count={Object.keys(record.resource).length} open={false} copy={record.resource}>
        <PlainAttributes
          attributes={record.resource}
          hook="data-resource-key"
          bytesKeys={record.bytes?.resource}
          search="logs"
        />
      </Section>
      <ScopeSection scope={record.scope} />
    </aside>
  );
}
