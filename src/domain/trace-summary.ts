import { failureOf } from "./failure.js";
import { type FailingSpan, FailureOrigins } from "./failure-origin.js";
import { llmUsageOf } from "./llm-cost.js";
import { LIST_TEXT, textPrefix } from "./long-text.js";
import { NO_NAMES, sharedListWith } from "./shared-lists.js";
import type { Span } from "./span.js";
import { durationMs, UNSET_TIME } from "./time.js";
import { traceNameOf } from "./trace-name.js";

/** What the trace list shows of one trace, correct for whatever spans have arrived so far. */
export interface TraceSummary {
  traceId: string;
  /**
   * The root span's name, or the earliest span's while no root has arrived; a bare HTTP method reads
   * as method plus route or path (see `traceNameOf`). Its first LIST_TEXT characters: a list needs no
   * more, and a 1 MB name would cost every list and live message a megabyte.
   */
  name: string;
  /** The whole name's length when `name` is only its beginning; absent when it is whole. */
  nameLength?: number;
  service: string;
  /**
   * The earliest start and latest end of its spans that have a start (see TraceAggregate.add); both
   * 0 when none has (every span's start unset).
   */
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
  /** False while the root span (no parent) has not arrived. */
  hasRoot: boolean;
  /**
   * What failed, in a line (see `failureOf`): what the span where the failure started says (the trace
   * page's "Error started in", failure-origin.ts), else the nearest failing span above it that says
   * something; null when none says.
   */
  errorMessage: string | null;
  /** The trace's GenAI calls (spans that name a model), or null when it has none. */
  llm: TraceLlm | null;
}

/**
 * A trace's LLM calls in total, for the list's LLM mark: tokens per model as the spans name them, so
 * that the cost is reckoned when it is shown, at the price table in use (`--prices`).
 */
export interface TraceLlm {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Of the calls, those whose span reports no token count (see LlmUsage.usageReported): their tokens and cost are unknown. */
  noUsageCalls: number;
  models: LlmModelUsage[];
}

/** One model's calls in a trace and the tokens they used. */
export interface LlmModelUsage {
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteInputTokens: number;
  /**
   * Of its calls, those that reported no token count: whether the model has a price is known only
   * when the summary is shown, and a call of unknown cost is named once, as unpriced or as without usage.
   */
  noUsageCalls: number;
}

/** Trace names met lately, each kept once (see TraceAggregate.compact); forgotten whole when full. */
let sharedNames = new Map<string, string>();
const SHARED_NAMES = 4_096;

function sharedName(name: string): string {
  const shared = sharedNames.get(name);
  if (shared !== undefined) return shared;
  if (sharedNames.size >= SHARED_NAMES) sharedNames = new Map();
  // A name made by concatenation is a pair of strings until flattened; the copy kept is one string.
  const flat = JSON.parse(JSON.stringify(name)) as string;
  sharedNames.set(flat, flat);
  return flat;
}

/** Error lines met lately, each kept once: the failing traces of one fault say the same thing. */
let sharedMessages = new Map<string, string>();
const SHARED_MESSAGES = 4_096;

/** `message`, as one string with every other failing span's that says the same (see sharedName). */
function sharedMessage(message: string): string {
  const shared = sharedMessages.get(message);
  if (shared !== undefined) return shared;
  if (sharedMessages.size >= SHARED_MESSAGES) sharedMessages = new Map();
  const flat = JSON.parse(JSON.stringify(message)) as string;
  sharedMessages.set(flat, flat);
  return flat;
}

/** The longest error line a summary keeps: the list shows one line, the trace view shows all. */
const MAX_ERROR_MESSAGE = 300;

/** Failing spans of one trace past this many are not looked at for where its failure started. */
const MAX_FAILING_SPANS = 1_000;

/** What a store keeps of the span where a trace's failure started (its start is the origin's `start`). */
export type ErrorOriginSpan = Omit<FailingSpan, "startTimeUnixNano">;

/** A failing span as the aggregate keeps it: where it is, and what it says (cut to MAX_ERROR_MESSAGE). */
interface Failure extends FailingSpan {
  message: string | null;
  exception: boolean;
}

/**
 * What a failing trace's aggregate keeps of its failure beside its error line (one object, made at
 * its first failure): its failing spans so far and where the failure started, with what the error
 * line came from. The failing spans' own object rather than one holding them: an object less for
 * every failing trace.
 */
class FailureState extends FailureOrigins<Failure> {
  /** Whether the error line came from an exception, and when the span where the failure started started. */
  exception = false;
  start = 0n;
  /**
   * What a stored summary kept of its failure without the span it started in (a row written before
   * that was kept): the failing spans of a reopened trace are not read again.
   */
  restoredStart: bigint | null = null;
  /** Whether the trace's spans that did not fail are linked (see TraceAggregate.wantsLinks). */
  linked = false;

  constructor() {
    super(MAX_FAILING_SPANS);
  }
}

/**
 * The running aggregate a store keeps per trace. `add` folds in one span; both stores use it so
 * the rules for name, service and counts live in one place.
 */
export class TraceAggregate {
  startTimeUnixNano = 0n;
  endTimeUnixNano = 0n;
  spanCount = 0;
  errorCount = 0;
  rootName: string | null = null;
  rootService: string | null = null;
  /** Name and service of the earliest span, used while there is no root. */
  firstName = "";
  firstService = "";
  /** A list shared with the traces of the same services, in the same order (see sharedList): never written. */
  services: readonly string[] = NO_NAMES;
  /**
   * The list's one line on what failed (see TraceSummary.errorMessage). Cut to MAX_ERROR_MESSAGE characters.
   */
  errorMessage: string | null = null;
  /** GenAI calls so far (see TraceLlm), per model; null while none (most traces have none). */
  private llmTotals: TraceLlm | null = null;
  /** Null while no span failed (and no failure was restored). */
  private failure: FailureState | null = null;

  constructor(readonly traceId: string) {}

  /** Kept as a number as the times change: the list filters and sorts on it for every trace. */
  durationMs = 0;

  /** Sets the trace's span of time (a store restoring a kept summary). */
  setTimes(start: bigint, end: bigint): void {
    this.startTimeUnixNano = start;
    this.endTimeUnixNano = end;
    this.durationMs = durationMs(start, end);
  }

  add(span: Span): void {
    let moved = false;
    const start = span.startTimeUnixNano;
    // A span whose start is unset (0, OTLP's "no time") places nothing in time: the trace's start, end
    // and name-giving earliest span are of its other spans. Taken in, one such span made its trace
    // start in 1970 and last 56 years. The start stays 0 while no span with a time has arrived.
    const timed = start !== UNSET_TIME;
    if (this.spanCount === 0 || (timed && (this.startTimeUnixNano === UNSET_TIME || start < this.startTimeUnixNano))) {
      this.startTimeUnixNano = start;
      this.firstName = traceNameOf(span.name, span.attributes);
      this.firstService = span.service;
      moved = true;
    }
    if (timed && span.endTimeUnixNano > this.endTimeUnixNano) {
      this.endTimeUnixNano = span.endTimeUnixNano;
      moved = true;
    }
    if (moved) this.durationMs = durationMs(this.startTimeUnixNano, this.endTimeUnixNano);
    this.spanCount++;
    if (span.status.code === "ERROR") {
      this.errorCount++;
      this.noteFailure(span);
    } else if (this.failure?.linked === true) {
      this.linkSpans([span]);
    }
    if (span.parentSpanId === null && this.rootName === null) {
      this.rootName = traceNameOf(span.name, span.attributes);
      this.rootService = span.service;
    }
    if (!this.services.includes(span.service)) this.services = sharedListWith(this.services, span.service);
    this.noteLlmCall(span);
  }

  private noteLlmCall(span: Span): void {
    const usage = llmUsageOf(span.attributes, span.scope.name);
    if (usage === null) return;
    this.llmTotals ??= { calls: 0, inputTokens: 0, outputTokens: 0, noUsageCalls: 0, models: [] };
    const totals = this.llmTotals;
    totals.calls++;
    totals.inputTokens += usage.inputTokens;
    totals.outputTokens += usage.outputTokens;
    if (!usage.usageReported) totals.noUsageCalls++;
    let model = totals.models.find((m) => m.model === usage.model);
    if (model === undefined) {
      model = {
        model: usage.model,
        calls: 0,
        inputTokens: 0,
        outputTokens: 0,
        cachedInputTokens: 0,
        cacheWriteInputTokens: 0,
        noUsageCalls: 0,
      };
      totals.models.push(model);
    }
    model.calls++;
    if (!usage.usageReported) model.noUsageCalls++;
    model.inputTokens += usage.inputTokens;
    model.outputTokens += usage.outputTokens;
    model.cachedInputTokens += usage.cachedInputTokens;
    model.cacheWriteInputTokens += usage.cacheWriteInputTokens;
  }

  /** The LLM totals as a summary carries them. */
  llm(): TraceLlm | null {
    const totals = this.llmTotals;
    if (totals === null) return null;
    return { ...totals, models: totals.models.map((m) => ({ ...m })) };
  }

  /**
   * Lets the trace's names share one string with every other trace of the same name, once it takes no
   * more spans for a while: `GET /users/:id` is made anew for each trace as its spans arrive.
   */
  compact(): void {
    this.firstName = sharedName(this.firstName);
    if (this.rootName !== null) this.rootName = sharedName(this.rootName);
  }

  /** Restores the LLM totals a stored summary kept. */
  restoreLlm(llm: TraceLlm | null): void {
    if (llm === null) return;
    this.llmTotals = { ...llm, models: llm.models.map((m) => ({ ...m })) };
  }

  /**
   * Whether its store should hand it the trace's spans (`linkSpans`) now: once two spans failed, a
   * span that did not fail between them (an Express "request handler" span between a failing request
   * and its failing call) can tell that the failure started further down. Until then nothing is linked:
   * most failing traces have one failing span, and links cost about as much as packed spans. They are
   * dropped when the trace goes quiet (`dropLinks`), and asked for again when it takes another span.
   */
  get wantsLinks(): boolean {
    const state = this.failure;
    return state !== null && !state.linked && state.several;
  }

  /**
   * Forgets the links of a trace gone quiet (its store packed it, or wrote it out): a trace takes few
   * spans after that, and the store hands them all again (`wantsLinks`) when it takes one.
   */
  dropLinks(): void {
    const state = this.failure;
    if (state === null || !state.linked) return;
    state.dropLinks();
    state.linked = false;
  }

  /**
   * Links the trace's spans, those it holds so far when `wantsLinks` said so (any that failed are
   * passed over), then each later one as `add` takes it: where the failure started reaches through
   * the spans that did not fail, as the trace page finds it.
   */
  linkSpans(spans: Iterable<{ readonly spanId: string; readonly parentSpanId: string | null }>): void {
    const state = this.failure;
    if (state === null) return;
    state.linked = true;
    for (const span of spans) state.link(span.spanId, span.parentSpanId);
    // Also with the origin unchanged: a span it counted as below the SERVER span around it (its parent
    // not arrived) may have its parent now, and the line walks up from the origin through that parent.
    this.tellOrigin(state);
  }

  private noteFailure(span: Span): void {
    const failure = failureOf(span);
    this.failure ??= new FailureState();
    const state = this.failure;
    state.add({
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      kind: span.kind,
      service: span.service,
      startTimeUnixNano: span.startTimeUnixNano,
      endTimeUnixNano: span.endTimeUnixNano,
      message: failure === null ? null : sharedMessage(textPrefix(failure.message, MAX_ERROR_MESSAGE)),
      exception: failure?.exception ?? false,
    });
    this.tellOrigin(state);
  }

  /** The error line from where the failure started now. */
  private tellOrigin(state: FailureState): void {
    const origin = state.origin;
    const restored = state.restoredStart;
    if (origin === null || (restored !== null && restored <= origin.startTimeUnixNano)) return;
    // What the origin says, else the nearest failing span above it that says something (the same failure
    // told on the way up); above a span whose parent never came, the failing SERVER span it counts as below.
    let teller: Failure | undefined = origin;
    for (let hops = 0; teller !== undefined && teller.message === null && hops < MAX_FAILING_SPANS; hops++) {
      const parent: Failure | undefined = teller.parentSpanId === null ? undefined : state.get(teller.parentSpanId);
      teller = parent ?? state.holderOf(teller.spanId);
    }
    this.errorMessage = teller?.message ?? null;
    state.exception = teller?.exception ?? false;
    state.start = origin.startTimeUnixNano;
  }

  /**
   * What the error message came from: an exception or a status, when the span where the failure
   * started started, and that span (null without a message).
   */
  errorOrigin(): { exception: boolean; start: bigint; span: ErrorOriginSpan | null } | null {
    const state = this.failure;
    if (this.errorMessage === null || state === null) return null;
    const origin = state.origin;
    const span: ErrorOriginSpan | null =
      origin == null
        ? null
        : {
            spanId: origin.spanId,
            parentSpanId: origin.parentSpanId,
            kind: origin.kind,
            service: origin.service,
            endTimeUnixNano: origin.endTimeUnixNano,
          };
    return { exception: state.exception, start: state.start, span };
  }

  /**
   * Restores what a stored summary kept (a store that persists summaries without their spans). Of its
   * failing spans only the origin is known again: a failure that arrives later below it, or that
   * started earlier, takes its place. Without the origin's span (kept before it was) a later failure
   * takes its place only when it started earlier (without its start either, the trace's start stands for it).
   */
  restoreError(
    message: string | null,
    origin: { exception: boolean; start: bigint; span?: ErrorOriginSpan | null } | null = null,
  ): void {
    this.errorMessage = message;
    // No failure kept: a trace read back stays without failure state until one arrives (noteFailure).
    if (message === null) {
      this.failure = null;
      return;
    }
    const state = new FailureState();
    state.exception = origin?.exception ?? true;
    state.start = origin?.start ?? this.startTimeUnixNano;
    this.failure = state;
    const span = origin?.span ?? null;
    if (span === null) {
      state.restoredStart = state.start;
      return;
    }
    state.add({ ...span, startTimeUnixNano: state.start, message, exception: state.exception });
  }

  toSummary(): TraceSummary {
    // The aggregate keeps the whole name: the list's name filter looks for its text anywhere in it.
    const name = this.rootName ?? this.firstName;
    return {
      traceId: this.traceId,
      name: textPrefix(name, LIST_TEXT),
      ...(name.length > LIST_TEXT ? { nameLength: name.length } : {}),
      service: this.rootService ?? this.firstService,
      startTimeUnixNano: this.startTimeUnixNano,
      endTimeUnixNano: this.endTimeUnixNano,
      durationMs: this.durationMs,
      spanCount: this.spanCount,
      errorCount: this.errorCount,
      services: [...this.services].sort(),
      hasRoot: this.rootName !== null,
      errorMessage: this.errorMessage,
      llm: this.llm(),
    };
  }
}
