import { useEffect, useState } from "preact/hooks";
import { type Attributes, MAX_TRACE_IDS, type SpanLinkJson, type TraceSummaryJson } from "../../../../src/protocol";
import { api } from "../../api/client";
import { CopyButton } from "../../components/CopyButton";
import { LongText } from "../../components/LongText";
import { UserText } from "../../components/UserText";
import { formatDuration } from "../../lib/format";
import { clipText, ROW_TEXT } from "../../lib/long-text";
import { serviceColor } from "../../lib/service-color";
import { PlainAttributes } from "./AttributeTable";
import { type ExceptionInfo, exceptionInfo, shownExceptionKeys } from "./attribute-groups";
import { ExceptionView } from "./ExceptionView";
import { linkKey, useLinkedSpans } from "./use-linked-spans";
import type { WaterfallNode, WaterfallTree } from "./waterfall-model";

/** The event's attributes but those its exception block shows (with their own controls there). */
function withoutShownKeys(attributes: Attributes, exception: ExceptionInfo): Attributes {
  const shown = shownExceptionKeys(exception);
  const rest: Attributes = {};
  for (const key in attributes) if (!shown.includes(key)) rest[key] = attributes[key]!;
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
        const rest = exception ? withoutShownKeys(event.attributes, exception) : event.attributes;
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
            {exception && (
              <ExceptionView exception={exception} source={{ attributes: event.attributes, bytesKeys: event.bytes }} />
            )}
            {Object.keys(rest).length > 0 && (
              <PlainAttributes
                attributes={rest}
                query={query}
                hook="data-event-attr-key"
                bytesKeys={event.bytes}
                search="spans"
              />
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** A linked trace as the list names it, `null` while asked, `"missing"` when it is not stored here. */
type LinkedTrace = TraceSummaryJson | "missing" | null;

/** The stored traces other spans' links name (not this trace), asked for once per set of ids. */
function useLinkedTraces(links: SpanLinkJson[], traceId: string): ReadonlyMap<string, LinkedTrace> {
  const ids = [...new Set(links.map((link) => link.traceId).filter((id) => id !== traceId))].slice(0, MAX_TRACE_IDS);
  const key = ids.join(",");
  const [found, setFound] = useState<ReadonlyMap<string, LinkedTrace>>(new Map());
  useEffect(() => {
    if (key === "") return;
    const controller = new AbortController();
    api
      .traceSummaries(key.split(","), controller.signal)
      .then(({ traces }) => {
        const byId = new Map<string, LinkedTrace>(key.split(",").map((id) => [id, "missing"]));
        for (const trace of traces) byId.set(trace.traceId, trace);
        setFound(byId);
      })
      // Unknown then, as before: the link still opens the trace page, which says whether it is stored.
      .catch(() => undefined);
    return () => controller.abort();
  }, [key]);
  return found;
}

/**
 * Links to other spans, in this trace or another one, each named as far as this server knows it:
 * the linked span's name in this trace, the linked trace's name and service, or that it is not stored.
 */
export function SpanLinks({
  links,
  traceId,
  tree,
  onSelectSpan,
}: {
  links: SpanLinkJson[];
  traceId: string;
  tree: WaterfallTree;
  onSelectSpan(spanId: string): void;
}) {
  const linked = useLinkedTraces(links, traceId);
  const spansThere = useLinkedSpans(links, linked);
  return (
    <ul class="tv-links">
      {links.map((link) => {
        const sameTrace = link.traceId === traceId;
        const href = `/traces/${link.traceId}?span=${link.spanId}`;
        const other = sameTrace ? null : (linked.get(link.traceId) ?? null);
        const spanHere = sameTrace ? tree.byId.get(link.spanId) : undefined;
        // The linked trace is stored but does not hold the span: say so, not name its root.
        const spanNotThere =
          !sameTrace && other !== null && other !== "missing" && spansThere.get(linkKey(link)) === false;
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
                title={
                  sameTrace
                    ? "Select this span"
                    : other === "missing"
                      ? "The linked trace is not stored here"
                      : spanNotThere
                        ? "Open the linked trace (it does not hold this span)"
                        : "Open the linked trace"
                }
              >
                {sameTrace ? "this trace" : <code>{link.traceId}</code>}
                {" / span "}
                <code>{link.spanId}</code>
              </a>
              <CopyButton text={`${link.traceId} ${link.spanId}`} label="Copy trace and span id" />
            </div>
            <div class="tv-link-target muted" data-testid="link-target">
              {sameTrace ? (
                spanHere ? (
                  <>
                    <span class="service-dot" style={{ background: serviceColor(spanHere.span.service) }} />
                    <UserText text={clipText(spanHere.label)} />{" "}
                    <span class="faint">
                      in <UserText text={spanHere.span.service} />
                    </span>
                  </>
                ) : (
                  "a span not received"
                )
              ) : other === "missing" ? (
                "a trace not stored here"
              ) : other !== null ? (
                <>
                  {spanNotThere && "a span not in the stored trace "}
                  <span class="service-dot" style={{ background: serviceColor(other.service) }} />
                  <UserText text={clipText(other.name)} />{" "}
                  <span class="faint">
                    in <UserText text={other.service} />
                  </span>
                </>
              ) : null}
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
