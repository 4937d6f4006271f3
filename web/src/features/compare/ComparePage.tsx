import { Fragment } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import type { TraceResponse } from "../../../../src/protocol";
import { ApiError, api } from "../../api/client";
import { UserText } from "../../components/UserText";
import { showBidiControls } from "../../lib/bidi-controls";
import { formatAbsolute, formatCount, formatDuration, nanosToMillis } from "../../lib/format";
import { clipText } from "../../lib/long-text";
import { serviceColor } from "../../lib/service-color";
import { buildWaterfallTree, type WaterfallTree } from "../trace-view/waterfall-model";
import { CompareRows } from "./CompareRows";
import {
  compareAddressNote,
  compareTraces,
  percentChange,
  rootNote,
  SAME_WITHIN_TEXT,
  TRACE_ID,
} from "./compare-model";
import "./compare.css";

type Side = { state: "loading" } | { state: "error"; message: string } | { state: "ready"; trace: TraceResponse };

function useTrace(traceId: string | null): Side {
  const [side, setSide] = useState<Side>({ state: "loading" });
  useEffect(() => {
    if (traceId === null) return;
    setSide({ state: "loading" });
    const controller = new AbortController();
    api.trace(traceId, controller.signal).then(
      (trace) => setSide({ state: "ready", trace }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const message =
          error instanceof ApiError && error.status === 404
            ? `No trace ${traceId} is stored (evicted, cleared, or never received).`
            : error instanceof Error
              ? error.message
              : String(error);
        setSide({ state: "error", message });
      },
    );
    return () => controller.abort();
  }, [traceId]);
  return side;
}

/** `/compare?a=<traceId>&b=<traceId>`: two runs of a request, span by span. */
export function ComparePage() {
  const { query, route } = useLocation();
  const a = typeof query.a === "string" && TRACE_ID.test(query.a) ? query.a.toLowerCase() : null;
  const b = typeof query.b === "string" && TRACE_ID.test(query.b) ? query.b.toLowerCase() : null;
  useEffect(() => {
    document.title = "Compare traces · tracekit-local";
    return () => {
      document.title = "tracekit-local";
    };
  }, []);
  const first = useTrace(a);
  const second = useTrace(b);

  if (a === null || b === null) {
    return (
      <div class="page-message" data-testid="compare-help">
        <h2>Compare two traces</h2>
        <p>
          Open a trace and choose <b>Compare</b> in its header: with the previous trace of the same operation, or with
          any trace id. The address is <code>/compare?a=&lt;first trace id&gt;&amp;b=&lt;second trace id&gt;</code>
          {compareAddressNote(query.a, query.b)}.
        </p>
        <p>
          <a href="/">← Back to the trace list</a>
        </p>
      </div>
    );
  }
  for (const [side, name] of [
    [first, "A"],
    [second, "B"],
  ] as const) {
    if (side.state === "error") {
      return (
        <div class="page-message">
          <h2>Could not load trace {name}</h2>
          <div class="error-banner">{side.message}</div>
          <p>
            <a href="/">← Back to the trace list</a>
          </p>
        </div>
      );
    }
  }
  if (first.state !== "ready" || second.state !== "ready") {
    return (
      <div class="tv-loading" role="status">
        Loading both traces…
      </div>
    );
  }
  // "Only changed spans" is kept in the address (`&changes=1`), so a reload or a shared link shows the same
  // rows; it and a swap replace the entry, views of the one comparison that Back leaves whole.
  const onlyChanges = query.changes === "1";
  const go = (next: { a: string; b: string; onlyChanges: boolean }) =>
    route(`/compare?a=${next.a}&b=${next.b}${next.onlyChanges ? "&changes=1" : ""}`, true);
  return (
    <Comparison
      first={first.trace}
      second={second.trace}
      onlyChanges={onlyChanges}
      onOnlyChanges={(checked) => go({ a, b, onlyChanges: checked })}
      onSwap={() => go({ a: b, b: a, onlyChanges })}
    />
  );
}

function Comparison(props: {
  first: TraceResponse;
  second: TraceResponse;
  onlyChanges: boolean;
  onOnlyChanges(checked: boolean): void;
  onSwap(): void;
}) {
  const { first, second, onlyChanges, onSwap } = props;
  const treeA = useMemo(() => buildWaterfallTree(first.spans), [first.spans]);
  const treeB = useMemo(() => buildWaterfallTree(second.spans), [second.spans]);
  const comparison = useMemo(() => compareTraces(treeA, treeB), [treeA, treeB]);
  const { totals } = comparison;
  const percent = percentChange(totals.deltaMs, treeA.totalMs);
  const rows = onlyChanges
    ? comparison.rows.filter((row) => row.change !== "same" || row.errorChange)
    : comparison.rows;
  return (
    <div class="cmp-page">
      <header class="cmp-header">
        <h1 class="cmp-title">Compare traces</h1>
        <div class="cmp-sides">
          <TraceCard label="A" trace={first} tree={treeA} />
          <button type="button" class="button cmp-swap" onClick={onSwap} title="Make B the baseline">
            ⇄ Swap
          </button>
          <TraceCard label="B" trace={second} tree={treeB} />
        </div>
        {first.traceId === second.traceId && (
          <p class="cmp-summary" data-testid="compare-same-trace">
            A and B are the same trace: open another and choose <b>Compare</b> in its header to compare it with this
            one.
          </p>
        )}
        <p class="cmp-summary" data-testid="compare-summary">
          Trace B took{" "}
          <b class={totals.deltaMs > 0 ? "cmp-slower" : totals.deltaMs < 0 ? "cmp-faster" : ""}>
            {totals.deltaMs === 0
              ? "as long as A"
              : `${formatDuration(Math.abs(totals.deltaMs))} ${totals.deltaMs > 0 ? "longer" : "less"} than A${
                  percent === "" ? "" : ` (${percent})`
                }`}
          </b>
          {rootNote(treeA, treeB, totals.deltaMs)} ·{" "}
          <span class={totals.slower > 0 ? "cmp-slower" : ""}>{formatCount(totals.slower)} slower</span> ·{" "}
          <span class={totals.faster > 0 ? "cmp-faster" : ""}>{formatCount(totals.faster)} faster</span> ·{" "}
          {formatCount(totals.same)} about the same <span class="cmp-same-rule">({SAME_WITHIN_TEXT})</span> ·{" "}
          <span class={totals.added > 0 ? "cmp-added-text" : ""}>{formatCount(totals.added)} only in B</span> ·{" "}
          <span class={totals.missing > 0 ? "cmp-missing-text" : ""}>{formatCount(totals.missing)} only in A</span>
          <label class="cmp-only-changes">
            <input
              type="checkbox"
              checked={onlyChanges}
              onChange={(event) => props.onOnlyChanges((event.currentTarget as HTMLInputElement).checked)}
            />{" "}
            Only changed spans
          </label>
        </p>
      </header>
      {rows.length === 0 ? (
        <p class="page-message muted" data-testid="compare-empty">
          No span changed: all {formatCount(comparison.rows.length)} are about the same ({SAME_WITHIN_TEXT}) and fail
          alike.
        </p>
      ) : (
        <CompareRows rows={rows} scaleMs={Math.max(treeA.totalMs, treeB.totalMs, 0.001)} />
      )}
    </div>
  );
}

/** A card's facts, each kept whole: a card too narrow for them all breaks the line between two. */
function cardFacts(tree: WaterfallTree): string[] {
  const spans = `${formatCount(tree.nodes.length)} ${tree.nodes.length === 1 ? "span" : "spans"}`;
  return [
    formatDuration(tree.totalMs),
    spans,
    ...(tree.errorCount > 0 ? [`${formatCount(tree.errorCount)} failing`] : []),
    tree.nodes.length > 0 ? formatAbsolute(nanosToMillis(tree.startNanos)) : "–",
  ];
}

function TraceCard({ label, trace, tree }: { label: string; trace: TraceResponse; tree: WaterfallTree }) {
  const root = tree.root;
  return (
    <div class="cmp-card" data-testid={`compare-card-${label.toLowerCase()}`}>
      <span class="cmp-card-label">{label}</span>
      {root && <span class="service-dot" style={{ background: serviceColor(root.span.service) }} />}
      <a
        href={`/traces/${trace.traceId}`}
        class="cmp-card-name"
        title={showBidiControls(`${clipText(trace.name)}: open trace ${trace.traceId}`)}
      >
        {trace.name === "" ? "(no spans)" : <UserText text={clipText(trace.name)} />}
      </a>
      <span class="cmp-card-facts">
        {cardFacts(tree).map((fact, i) => (
          <Fragment key={i}>
            {i > 0 && " · "}
            <span class="cmp-card-fact">{fact}</span>
          </Fragment>
        ))}
      </span>
    </div>
  );
}
