import { exportUrl } from "../../api/client";
import { CopyButton } from "../../components/CopyButton";
import { CompareMenu } from "../compare/CompareMenu";
import "../compare/compare.css";
import { useMemo } from "preact/hooks";
import { UserText } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import {
  formatAbsolute,
  formatCount,
  formatDuration,
  formatTimeZone,
  isUnsetTime,
  nanosToMillis,
} from "../../lib/format";
import { clipText } from "../../lib/long-text";
import { serviceColor } from "../../lib/service-color";
import { clockSkewOf } from "./clock-skew";
import { errorMessageOf } from "./error-model";
import { llmTotals, llmTotalsText } from "./genai";
import { TraceServices } from "./TraceServices";
import { useBackTarget } from "./use-trace-keys";
import type { WaterfallNode, WaterfallTree } from "./waterfall-model";

const GONE_TITLE =
  "This trace is no longer stored (evicted to make room, or cleared): the server has nothing to download";

/** The trace at a glance: what it was, how long it took, what failed, which services took part. */
export function TraceHeader({
  traceId,
  name,
  service: namedService,
  tree,
  errorOrigin,
  onBack,
  onSelectSpan,
  gone = false,
}: {
  traceId: string;
  /** The trace's name as the list shows it; the root span's own name may be just its HTTP method. */
  name: string;
  /**
   * The service of the span `name` is from, as the list shows it ("" when the server did not say): of
   * two spans without a parent, the waterfall's first may be the other one.
   */
  service: string;
  tree: WaterfallTree;
  /** The span where the trace's failure started (see error-model.ts), or null. */
  errorOrigin: WaterfallNode | null;
  onBack(): void;
  onSelectSpan(spanId: string): void;
  /**
   * The trace is no longer stored (evicted or cleared) and the page shows the copy it holds: the
   * server has nothing left to download, so the links say so instead of failing silently.
   */
  gone?: boolean;
}) {
  const root = tree.root;
  // Name, service and colour of one span: the one the trace list names.
  const service = namedService || (root?.span.service ?? "");
  const hasRealRoot = root !== null && !root.span.parentSpanId;
  const spanCount = tree.nodes.length;
  // No span with a start (each one's unset, 0): the trace has no time to show, not 1970.
  const timed = spanCount > 0 && !isUnsetTime(tree.startNanos);
  /** How many spans' times disagree with their parent's (clockSkewOf), or null when none do. */
  const skewed = useMemo(() => {
    let count = 0;
    for (const node of tree.nodes) if (clockSkewOf(node) !== null) count++;
    return count === 0 ? null : count;
  }, [tree]);
  // Only GenAI spans count (the tree marks them): no list of every span for a trace without any.
  const llm = useMemo(() => {
    const spans = [];
    for (const node of tree.nodes) if (node.isLlm) spans.push(node.span);
    return llmTotals(spans);
  }, [tree]);
  // The link names the page it returns to: a trace opened from a log record goes back to Logs.
  const back = useBackTarget();
  return (
    <header class="tv-header" data-testid="trace-header">
      <div class="tv-header-top">
        <a
          href={back.href}
          class="tv-back"
          title={back.page === null ? "Back to the previous page (Esc)" : `Back to ${back.page} (Esc)`}
          onClick={(event) => {
            if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
            // Back in history when the list is there, so its filters come back; stopPropagation keeps
            // preact-iso's window-level click handler from pushing "/" as well.
            event.preventDefault();
            event.stopPropagation();
            onBack();
          }}
        >
          ← {back.page ?? "Back"}
        </a>
        {root && <span class="service-dot tv-header-dot" style={{ background: serviceColor(service) }} />}
        <h1
          class="tv-title"
          title={showBidiControls(clipText(root && root.span.name !== name ? `root span: ${root.span.name}` : name))}
        >
          {root ? <UserText text={clipText(name) || root.label} /> : "(no spans)"}
        </h1>
        {root && (
          <span class="tv-header-service">
            <UserText text={service} />
          </span>
        )}
        {!hasRealRoot && spanCount > 0 && (
          <span class="badge" title="The span without a parent has not arrived (yet)">
            root span missing
          </span>
        )}
        <span class="tv-header-id">
          <span class="faint">trace</span> <code>{traceId}</code>
          <CopyButton text={traceId} label="Copy trace id" />
          <CompareMenu current={{ traceId, name, service, startTimeUnixNano: tree.startNanos }} />
          {gone ? (
            <>
              <span class="tv-json-link" aria-disabled="true" title={GONE_TITLE}>
                JSON
              </span>
              <span class="tv-json-link" aria-disabled="true" title={GONE_TITLE}>
                Download
              </span>
            </>
          ) : (
            <>
              <a
                class="tv-json-link"
                href={`/api/traces/${traceId}`}
                target="_blank"
                rel="noreferrer"
                title="The trace as JSON (REST API)"
              >
                JSON
              </a>
              <a
                class="tv-json-link"
                href={exportUrl({ traceId })}
                // A name, not a bare attribute: an empty download="" would not keep the router off the link.
                download={`trace-${traceId}.jsonl`}
                title="Download this trace and its log records as OTLP/JSON Lines (tracekit-local import, or a drop on this page, reads them back)"
              >
                Download
              </a>
            </>
          )}
        </span>
      </div>
      <div class="tv-header-stats">
        {skewed === null ? (
          <Stat label="Duration" value={timed ? formatDuration(tree.totalMs) : "–"} />
        ) : (
          <span
            class="tv-stat"
            data-testid="duration-skew"
            title={`From the earliest start to the latest end, as each service sent its times; ${formatCount(skewed)} span${skewed === 1 ? "'s" : "s'"} times disagree with their parent's (the services' clocks may differ, see the "clock skew?" rows)${hasRealRoot && root !== null ? `. The root span took ${formatDuration(root.durationMs)}` : ""}.`}
          >
            <span class="tv-stat-label">Duration</span>
            <span class="tv-stat-value">
              {formatDuration(tree.totalMs)} <span class="tv-skew-note">clock skew?</span>
            </span>
          </span>
        )}
        <Stat label="Spans" value={formatCount(spanCount)} />
        <span
          class={`tv-stat${tree.errorCount > 0 ? " error" : ""}`}
          title="Spans whose status is ERROR (a failure usually marks every caller on its way up)"
        >
          <span class="tv-stat-label">Failing spans</span>
          <span class="tv-stat-value">{formatCount(tree.errorCount)}</span>
        </span>
        <span
          class="tv-stat"
          title={
            timed || spanCount === 0
              ? `Your browser's time zone: ${Intl.DateTimeFormat().resolvedOptions().timeZone}`
              : "No span of this trace has a start time (each one's is unset, 0)"
          }
        >
          <span class="tv-stat-label">Started</span>
          <span class="tv-stat-value">
            {timed ? formatAbsolute(nanosToMillis(tree.startNanos)) : "–"}
            {timed && <span class="tv-time-zone"> {formatTimeZone(nanosToMillis(tree.startNanos))}</span>}
          </span>
        </span>
        {llm.calls > 0 && (
          <span
            class="tv-stat"
            data-testid="llm-totals"
            title="GenAI (LLM) calls in this trace and the tokens they report"
          >
            <span class="tv-stat-label">LLM</span>
            <span class="tv-stat-value">{llmTotalsText(llm)}</span>
          </span>
        )}
        <TraceServices services={tree.services} />
      </div>
      {errorOrigin && <ErrorOrigin node={errorOrigin} onSelectSpan={onSelectSpan} />}
    </header>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <span class="tv-stat">
      <span class="tv-stat-label">{label}</span>
      <span class="tv-stat-value">{value}</span>
    </span>
  );
}

/** Where the failure started, one line; a click selects that span. */
function ErrorOrigin({ node, onSelectSpan }: { node: WaterfallNode; onSelectSpan(spanId: string): void }) {
  const message = errorMessageOf(node.span);
  return (
    <div class="tv-error-origin" data-testid="error-origin">
      <span class="tv-error-origin-label">Error started in</span>
      <button
        type="button"
        class="tv-link-button tv-error-origin-span"
        title="Select this span (e / E step through every failing span)"
        onClick={() => onSelectSpan(node.spanId)}
      >
        <span class="service-dot" style={{ background: serviceColor(node.span.service) }} />
        <UserText text={node.span.service} /> · <UserText text={node.label} />
      </button>
      {message && (
        <span class="tv-error-origin-message">
          <UserText text={clipText(message)} />
        </span>
      )}
    </div>
  );
}
