import { isEntrySpan, nestedEntrySpans } from "../domain/operation.js";
import { ascending } from "../domain/order.js";
import type { SpanJson, TraceSummaryJson } from "../protocol.js";

/** What `tail` shows: one line per new trace, per new error span, or per log record. */
export type TailView = "traces" | "errors" | "logs";

/** A trace is shown once it has its root and no span arrived for this long… */
export const SETTLE_MS = 400;
/** …or once it has waited this long (a root that never comes, a trace that keeps growing). */
export const MAX_HOLD_MS = 5_000;
/** Traces remembered (to show each once); the oldest are forgotten past it. */
const MAX_REMEMBERED = 20_000;

interface Pending {
  summary: TraceSummaryJson;
  firstSeen: number;
  lastChange: number;
}

/** A trace due to be shown, and how many of its errors were accounted for before. */
export interface DueTrace {
  summary: TraceSummaryJson;
  previousErrors: number;
}

/** What `selectNewErrors` needs of a span. */
export interface ErrorSpanRef {
  spanId: string;
  endTimeUnixNano: string;
}

/**
 * Decides when a trace seen on the live feed is due: in "traces", once per trace when it has settled;
 * in "errors", whenever its error count or its span count has grown and settled (the caller then reads
 * its spans and shows the error spans it has not shown yet: a span that recorded an exception counts,
 * and the summary's error count does not see it). Pure: the caller passes the time.
 */
export class TraceTailFeed {
  /** traceId → its errors (spans with status ERROR) and spans already accounted for ("traces": shown at all). */
  private readonly known = new Map<string, { errors: number; spans: number }>();
  private readonly pending = new Map<string, Pending>();
  /** traceId → error spans already shown ("errors"). */
  private readonly shownErrors = new Map<string, Set<string>>();
  private primed = false;

  constructor(private readonly view: "traces" | "errors") {}

  /**
   * A live `traces` message. The first snapshot is what was there before tail started: remembered,
   * not shown; a later snapshot (after a reconnect) may hold traces that arrived in between.
   */
  receive(summaries: readonly TraceSummaryJson[], snapshot: boolean, now: number): void {
    if (snapshot && !this.primed) {
      for (const summary of summaries) this.remember(summary);
      this.primed = true;
      return;
    }
    this.primed = true;
    for (const summary of summaries) {
      const known = this.known.get(summary.traceId);
      // An error the summary does not count (an exception recorded in a span left unset) can come with
      // any new span: in "errors" every new span makes the trace worth reading.
      const interesting =
        this.view === "traces"
          ? known === undefined
          : summary.errorCount > (known?.errors ?? 0) || summary.spanCount > (known?.spans ?? 0);
      const waiting = this.pending.get(summary.traceId);
      if (waiting !== undefined) {
        if (waiting.summary.spanCount !== summary.spanCount || waiting.summary.errorCount !== summary.errorCount) {
          waiting.lastChange = now;
        }
        waiting.summary = summary;
      } else if (interesting) {
        this.pending.set(summary.traceId, { summary, firstSeen: now, lastChange: now });
      }
    }
  }

  /**
   * The feed opened again after it was lost: its snapshot may hold traces that arrived in between,
   * to be shown, also when no snapshot came at the first opening (the server held no trace then).
   */
  reconnected(): void {
    this.primed = true;
  }

  /** Everything clears (DELETE /api/traces): a trace id seen again is a new trace. */
  cleared(): void {
    this.known.clear();
    this.pending.clear();
    this.shownErrors.clear();
  }

  /** The traces due now, oldest start first; each is then accounted for. */
  due(now: number): DueTrace[] {
    const out: DueTrace[] = [];
    for (const [traceId, entry] of this.pending) {
      const settled = now - entry.lastChange >= SETTLE_MS && (this.view === "errors" || entry.summary.hasRoot);
      if (!settled && now - entry.firstSeen < MAX_HOLD_MS) continue;
      this.pending.delete(traceId);
      out.push({ summary: entry.summary, previousErrors: this.known.get(traceId)?.errors ?? 0 });
      this.remember(entry.summary);
    }
    return out.sort((a, b) => compareNanos(a.summary.startTimeUnixNano, b.summary.startTimeUnixNano));
  }

  /**
   * Of a due trace's error spans, those not shown yet, in the order they ended. Errors that were there
   * before tail saw the trace (`previousErrors`, first time only) count as the earliest to end.
   */
  selectNewErrors<T extends ErrorSpanRef>(traceId: string, previousErrors: number, errorSpans: readonly T[]): T[] {
    const sorted = [...errorSpans].sort((a, b) => compareNanos(a.endTimeUnixNano, b.endTimeUnixNano));
    let shown = this.shownErrors.get(traceId);
    if (shown === undefined) {
      shown = new Set(sorted.slice(0, previousErrors).map((span) => span.spanId));
      this.shownErrors.set(traceId, shown);
      if (this.shownErrors.size > MAX_REMEMBERED) {
        const oldest = this.shownErrors.keys().next().value;
        if (oldest !== undefined) this.shownErrors.delete(oldest);
      }
    }
    const fresh = sorted.filter((span) => !shown.has(span.spanId));
    for (const span of fresh) shown.add(span.spanId);
    return fresh;
  }

  private remember(summary: TraceSummaryJson): void {
    const { traceId } = summary;
    this.known.delete(traceId);
    this.known.set(traceId, { errors: summary.errorCount, spans: summary.spanCount });
    if (this.known.size > MAX_REMEMBERED) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }
}

/**
 * Of a trace's error spans, those that tell again a request another one tells: an entry span (SERVER,
 * CONSUMER) nested in an entry span of its service (nestedEntrySpans: the TraceKit Node SDK's Express
 * middleware span inside the HTTP instrumentation's span of the same request) that failed the same
 * way (`say`, what its line says) over the same time as an outer one. The Errors page counts such a
 * request once; two identical lines would say one failure twice.
 */
export function retoldErrors(
  spans: readonly SpanJson[],
  errors: readonly SpanJson[],
  say: (span: SpanJson) => string,
): Set<SpanJson> {
  const retold = new Set<SpanJson>();
  const entries = spans.filter(isEntrySpan);
  if (entries.length < 2) return retold;
  const nesting = new Map(
    entries.map((span) => [
      span,
      {
        ...span,
        startTimeUnixNano: BigInt(span.startTimeUnixNano),
        endTimeUnixNano: BigInt(span.endTimeUnixNano),
      },
    ]),
  );
  const nested = nestedEntrySpans([...nesting.values()]);
  if (nested === null) return retold;
  const isNested = (span: SpanJson) => {
    const telling = nesting.get(span);
    return telling !== undefined && nested.has(telling);
  };
  const outer = errors.filter((span) => isEntrySpan(span) && !isNested(span));
  for (const span of errors) {
    if (!isNested(span)) continue;
    const said = say(span);
    const told = outer.some(
      (other) =>
        other.service === span.service &&
        compareNanos(other.startTimeUnixNano, span.endTimeUnixNano) <= 0 &&
        compareNanos(span.startTimeUnixNano, other.endTimeUnixNano) <= 0 &&
        say(other) === said,
    );
    if (told) retold.add(span);
  }
  return retold;
}

function compareNanos(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return ascending(a, b);
}
