import type { Attributes, SpanLinkJson } from "../../../../src/protocol";
import { CopyButton } from "../../components/CopyButton";
import { LongText } from "../../components/LongText";
import { formatDuration } from "../../lib/format";
import { ROW_TEXT } from "../../lib/long-text";
import { PlainAttributes } from "./AttributeTable";
import { exceptionInfo } from "./attribute-groups";
import { ExceptionView } from "./ExceptionView";
import type { WaterfallNode } from "./waterfall-model";

function withoutExceptionKeys(attributes: Attributes): Attributes {
  const rest: Attributes = {};
  for (const key in attributes) if (!key.startsWith("exception.")) rest[key] = attributes[key]!;
  return rest;
}

/** The span's events in time order; `exception` events are shown as exceptions. */
export function SpanEvents({ node, query }: { node: WaterfallNode; query: string }) {
  const { span } = node;
  const order = span.events.map((_, i) => i).sort((a, b) => node.eventOffsetsMs[a]! - node.eventOffsetsMs[b]!);
  return (
    <ol class="tv-events">
      {order.map((i) => {
        const event = span.events[i]!;
        const offset = node.eventOffsetsMs[i]! - node.offsetMs;
        const exception = event.name === "exception" ? exceptionInfo(event.attributes) : null;
        const rest = exception ? withoutExceptionKeys(event.attributes) : event.attributes;
        return (
          <li key={i} class={`tv-event${exception ? " exception" : ""}`}>
            <div class="tv-event-head">
              <span class="tv-event-time" title={`${formatDuration(node.eventOffsetsMs[i]!)} from the trace start`}>
                {offset < 0 ? "-" : "+"}
                {formatDuration(Math.abs(offset))}
              </span>
              <span class="tv-event-name">
                <LongText text={event.name} limit={ROW_TEXT} />
              </span>
            </div>
            {exception && <ExceptionView exception={exception} />}
            {Object.keys(rest).length > 0 && (
              <PlainAttributes attributes={rest} query={query} hook="data-event-attr-key" bytesKeys={event.bytes} />
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** Links to other spans, in this trace or another one. */
export function SpanLinks({
  links,
  traceId,
  onSelectSpan,
}: {
  links: SpanLinkJson[];
  traceId: string;
  onSelectSpan(spanId: string): void;
}) {
  return (
    <ul class="tv-links">
      {links.map((link) => {
        const sameTrace = link.traceId === traceId;
        const href = `/traces/${link.traceId}?span=${link.spanId}`;
        return (
          <li key={`${link.traceId}/${link.spanId}`} class="tv-link">
            <div class="tv-link-head">
              <a
                href={href}
                onClick={(event) => {
                  if (!sameTrace || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
                  // Stop here too: preact-iso's window-level click handler would push the URL anyway.
                  event.preventDefault();
                  event.stopPropagation();
                  onSelectSpan(link.spanId);
                }}
                title={sameTrace ? "Select this span" : "Open the linked trace (it may not be stored here)"}
              >
                {sameTrace ? "this trace" : <code>{link.traceId}</code>}
                {" / span "}
                <code>{link.spanId}</code>
              </a>
              <CopyButton text={`${link.traceId} ${link.spanId}`} label="Copy trace and span id" />
            </div>
            {Object.keys(link.attributes).length > 0 && (
              <PlainAttributes attributes={link.attributes} hook="data-link-attr-key" bytesKeys={link.bytes} />
            )}
          </li>
        );
      })}
    </ul>
  );
}
