import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { formatDurationExact } from "../../../../src/domain/duration-text";
import type { Attributes, LogRecordJson, SnapshotSummaryJson, SpanJson } from "../../../../src/protocol";
import { CopyButton } from "../../components/CopyButton";
import { LongText } from "../../components/LongText";
import { UserText, withBidiMarks } from "../../components/UserText";
import { endBeforeStartHint, formatAbsolute, formatCount, formatPercent, nanosToMillis } from "../../lib/format";
import { ROW_TEXT } from "../../lib/long-text";
import { serviceColor } from "../../lib/service-color";
import { SpanLogs } from "../logs/SpanLogs";
import { SpanSnapshots } from "../snapshots/SpanSnapshots";
import { AttributeTable, PlainAttributes } from "./AttributeTable";
import { attributesJsonText, exceptionInfo } from "./attribute-groups";
import { clockSkewOf, clockSkewText } from "./clock-skew";
import { ExceptionView } from "./ExceptionView";
import { SpanEvents, SpanLinks } from "./SpanEvents";
import { SpanFacts } from "./SpanFacts";
import type { WaterfallNode, WaterfallTree } from "./waterfall-model";

export interface SpanDetailsProps {
  node: WaterfallNode;
  tree: WaterfallTree;
  /** The find-in-trace text, marked in attribute values. */
  query: string;
  /** Code-monitoring snapshots captured in this span. */
  snapshots?: readonly SnapshotSummaryJson[] | undefined;
  /** Log records written in this span, oldest first. */
  logs?: readonly LogRecordJson[] | undefined;
  onSelectSpan(spanId: string): void;
}

/** `copy`: attributes the header's "Copy JSON" button copies as one JSON object (none when empty). */
export function Section(props: {
  title: string;
  count?: number;
  open?: boolean;
  copy?: Attributes;
  children: ComponentChildren;
}) {
  const copy = props.copy !== undefined && Object.keys(props.copy).length > 0 ? props.copy : undefined;
  return (
    <details class="tv-section" open={props.open ?? true}>
      <summary>
        {props.title}
        {props.count !== undefined && <span class="faint"> {formatCount(props.count)}</span>}
        {copy && (
          <span class="tv-section-copy">
            <CopyButton
              text={attributesJsonText(copy)}
              label={`Copy ${props.title.toLowerCase()} as JSON`}
              caption="JSON"
            />
          </span>
        )}
      </summary>
      <div class="tv-section-body">{props.children}</div>
    </details>
  );
}

/** The instrumentation scope a span or log record came from (closed until opened). */
export function ScopeSection({ scope }: { scope: SpanJson["scope"] }) {
  return (
    <Section title="Instrumentation scope" open={false}>
      <dl class="tv-kv">
        <dt>Name</dt>
        <dd>{scope.name ? <ScopeText text={scope.name} /> : <span class="faint">(none)</span>}</dd>
        <dt>Version</dt>
        <dd>{scope.version ? <ScopeText text={scope.version} /> : <span class="faint">(none)</span>}</dd>
      </dl>
      {scope.attributes && Object.keys(scope.attributes).length > 0 && (
        <PlainAttributes attributes={scope.attributes} hook="data-scope-key" bytesKeys={scope.bytes} />
      )}
    </Section>
  );
}

function ScopeText({ text }: { text: string }) {
  return (
    <code>
      <LongText text={text} limit={ROW_TEXT} />
    </code>
  );
}

function IdRow({ label, id, children }: { label: string; id: string; children?: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd class="tv-id">
        {children ?? <code>{id}</code>}
        <CopyButton text={id} label={`Copy ${label.toLowerCase()}`} />
      </dd>
    </>
  );
}

/** Everything about the selected span; `data-testid="span-details"` is a stable hook for tests. */
export function SpanDetails({ node, tree, query, snapshots, logs, onSelectSpan }: SpanDetailsProps) {
  const { span } = node;
  const [filter, setFilter] = useState("");
  const scroller = useRef<HTMLElement>(null);
  useLayoutEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [span.spanId]);

  const spanException = exceptionInfo(span.attributes);
  const hasExceptionEvent = span.events.some((event) => event.name === "exception");
  const attributeCount = Object.keys(span.attributes).length;
  const resourceCount = Object.keys(span.resource).length;
  const share = tree.totalMs > 0 ? node.durationMs / tree.totalMs : 1;
  const skew = clockSkewOf(node);
  // Without a start, an end says nothing of how long the span took.
  const timeHint = node.startUnset ? "" : endBeforeStartHint(span.startTimeUnixNano, span.endTimeUnixNano);
  const parent = node.parent;
  const parentId = span.parentSpanId;

  return (
    <aside class="tv-details" data-testid="span-details" aria-label="Span details" ref={scroller}>
      <div class="tv-details-head">
        <h2 class="tv-details-title">
          <UserText text={node.label} />
        </h2>
        {node.label !== span.name && (
          <div class="tv-details-name" title="The span's own name, as the SDK sent it">
            span name{" "}
            <code>
              <LongText text={span.name} />
            </code>
          </div>
        )}
        <div class="tv-details-badges">
          <span class="tv-service-chip">
            <span class="service-dot" style={{ background: serviceColor(span.service) }} />
            <UserText text={span.service} />
          </span>
          <span class="badge" title="Span kind">
            {span.kind}
          </span>
          <span class={`badge tv-status ${span.status.code.toLowerCase()}`} title="Status code">
            {span.status.code}
          </span>
          {node.duplicate && <span class="badge error">duplicate span id</span>}
        </div>
        {span.status.message && (
          <div class={span.status.code === "ERROR" ? "tv-status-message" : "tv-status-message tv-status-message-quiet"}>
            <LongText text={span.status.message} />
          </div>
        )}
      </div>

      <dl class="tv-kv tv-timing">
        <dt>Start</dt>
        <dd>
          {node.startUnset ? (
            <span data-testid="span-start-unset">
              not sent <span class="faint">· unset (0): the span places nothing in time</span>
            </span>
          ) : (
            <>
              +{formatDurationExact(node.offsetMs)}{" "}
              <span class="faint">· {formatAbsolute(nanosToMillis(span.startTimeUnixNano))}</span>
            </>
          )}
          {skew && node.parent && (
            <div class="tv-time-hint" data-testid="span-clock-skew">
              <span class="badge">clock skew?</span> {withBidiMarks(clockSkewText(skew, node.parent.span.service))}
            </div>
          )}
        </dd>
        <dt>Duration</dt>
        <dd>
          {node.startUnset ? (
            "–"
          ) : (
            <>
              {formatDurationExact(node.durationMs)} <span class="faint">· {formatPercent(share)} of the trace</span>
            </>
          )}
          {timeHint && (
            <div class="tv-time-hint" data-testid="span-time-hint">
              {timeHint}
            </div>
          )}
        </dd>
        <dt>Self time</dt>
        <dd title="Duration not covered by any child span">{formatDurationExact(node.selfMs)}</dd>
        <IdRow label="Span id" id={span.spanId} />
        {parentId ? (
          <IdRow label="Parent id" id={parentId}>
            {parent ? (
              <button type="button" class="tv-link-button mono" onClick={() => onSelectSpan(parent.spanId)}>
                {parentId}
              </button>
            ) : (
              <code>{parentId}</code>
            )}
            {node.parentIssue === "missing" && <span class="badge"> not received</span>}
            {node.parentIssue === "cycle" && <span class="badge error"> cycle</span>}
          </IdRow>
        ) : (
          <>
            <dt>Parent id</dt>
            <dd class="faint">none (root span)</dd>
          </>
        )}
        <IdRow label="Trace id" id={span.traceId} />
        {node.hasChildren && (
          <>
            <dt>Children</dt>
            <dd>
              {formatCount(node.children.length)}{" "}
              <span class="faint">
                · {formatCount(node.descendantCount)} span{node.descendantCount === 1 ? "" : "s"} below
              </span>
            </dd>
          </>
        )}
      </dl>

      <SpanFacts span={span} logs={logs} />
      {snapshots && snapshots.length > 0 && <SpanSnapshots snapshots={snapshots} />}
      {logs && logs.length > 0 && <SpanLogs logs={logs} traceId={span.traceId} spanId={span.spanId} />}
      {spanException && !hasExceptionEvent && (
        <ExceptionView exception={spanException} source={{ attributes: span.attributes, bytesKeys: span.bytes }} />
      )}

      <Section title="Attributes" count={attributeCount} copy={span.attributes}>
        <input
          type="search"
          class="input tv-attr-filter"
          placeholder="Filter attributes by key or value"
          aria-label="Filter attributes"
          value={filter}
          onInput={(event) => setFilter((event.currentTarget as HTMLInputElement).value)}
        />
        <AttributeTable attributes={span.attributes} filter={filter} query={query} bytesKeys={span.bytes} />
        {span.droppedAttributesCount ? (
          <p class="tv-empty">{span.droppedAttributesCount} attributes were dropped by the SDK.</p>
        ) : null}
      </Section>
      {span.events.length > 0 && (
        <Section title="Events" count={span.events.length}>
          <SpanEvents node={node} query={query} />
          {span.droppedEventsCount ? <p class="tv-empty">{span.droppedEventsCount} events were dropped.</p> : null}
        </Section>
      )}
      {span.links.length > 0 && (
        <Section title="Links" count={span.links.length}>
          <SpanLinks links={span.links} traceId={span.traceId} tree={tree} onSelectSpan={onSelectSpan} />
        </Section>
      )}
      <Section title="Resource" count={resourceCount} open={false} copy={span.resource}>
        <PlainAttributes
          attributes={span.resource}
          filter={filter}
          hook="data-resource-key"
          bytesKeys={span.resourceBytes}
          search="spans"
        />
      </Section>
      <ScopeSection scope={span.scope} />
    </aside>
  );
}
