/**
 * Every GenAI call of the stored traces, kept span by span in typed columns (model, service, start,
 * duration, tokens, failed) beside each call's details, so the LLM totals over a million stored
 * spans are one pass over numbers: sums per (model, service) pair, priced per model (cost is linear
 * in tokens, so pricing the sums is pricing each call), durations per group for percentiles, the
 * timeline, and only the newest `limit` calls built as objects. A call's other details are kept in
 * columns too (names interned, start as a 64-bit integer): a hundred thousand calls as objects would
 * weigh tens of MB. Evicting a trace marks its slot dead; dead rows are dropped once they are half of
 * what is kept. Pure; no I/O.
 */
import { costOf, type PriceTable, priceKeyOf } from "./llm-cost.js";
import {
  emptyGroup,
  type LlmCall,
  type LlmGroup,
  type LlmSeries,
  type LlmTimeline,
  llmSpanOf,
  MAX_SERIES,
  timelineBuckets,
} from "./llm-usage.js";
import { selectPercentiles } from "./percentile.js";
import type { Span } from "./span.js";
import { resized } from "./typed-arrays.js";

export interface LlmQuery {
  sinceUnixNano?: bigint;
  untilUnixNano?: bigint;
  /** Only calls made by this service. */
  service?: string;
  /** How many of the newest calls to list. */
  limit: number;
}

export interface LlmUsage {
  totals: LlmGroup;
  byModel: LlmGroup[];
  byService: LlmGroup[];
  timeline: LlmTimeline;
  /** The newest `limit` calls, newest first. */
  calls: LlmCall[];
  /** Distinct traces the calls belong to. */
  traces: number;
}

const INITIAL = 256;

/** Price per token of a model, or null when it has none. */
interface TokenPrice {
  input: number;
  cached: number;
  output: number;
}

/** `streamingCol` values. */
const STREAMING_UNKNOWN = 0;
const STREAMING_NO = 1;
const STREAMING_YES = 2;

export class LlmIndex {
  private readonly slots = new Map<string, number>();
  /** Trace id by slot. */
  private slotTraces: string[] = [];
  /** Interned provider, operation and requested model names; -1 for none. */
  private readonly texts: string[] = [];
  private readonly textIds = new Map<string, number>();
  /** Interned finish-reason lists. */
  private readonly reasonLists: string[][] = [];
  private readonly reasonIds = new Map<string, number>();
  private deadSlots = new Int32Array(INITIAL);
  private nextSlot = 0;
  private readonly models: string[] = [];
  private readonly modelIds = new Map<string, number>();
  private readonly services: string[] = [];
  private readonly serviceIds = new Map<string, number>();
  private size = 0;
  private spanIds: string[] = [];
  private startNsCol = new BigInt64Array(INITIAL);
  private providerCol = new Int32Array(INITIAL);
  private operationCol = new Int32Array(INITIAL);
  private requestModelCol = new Int32Array(INITIAL);
  private reasonsCol = new Int32Array(INITIAL);
  /** Time to first token in ms, NaN when unknown. */
  private ttftCol = new Float64Array(INITIAL);
  private streamingCol = new Uint8Array(INITIAL);
  private modelCol = new Int32Array(INITIAL);
  private serviceCol = new Int32Array(INITIAL);
  private slotCol = new Int32Array(INITIAL);
  private failedCol = new Int32Array(INITIAL);
  private startCol = new Float64Array(INITIAL);
  private durCol = new Float64Array(INITIAL);
  private inputCol = new Float64Array(INITIAL);
  private outputCol = new Float64Array(INITIAL);
  private cachedCol = new Float64Array(INITIAL);

  /** Calls kept, those of evicted traces included until compaction. */
  get rows(): number {
    return this.size;
  }

  /** A span the store just accepted (each span once). */
  add(span: Span): void {
    const call = llmSpanOf(span);
    if (call === null) return;
    let slot = this.slots.get(span.traceId);
    if (slot === undefined) {
      if (this.nextSlot === this.deadSlots.length) this.deadSlots = resized(this.deadSlots, this.nextSlot * 2);
      slot = this.nextSlot++;
      this.deadSlots[slot] = 0;
      this.slots.set(span.traceId, slot);
      this.slotTraces[slot] = span.traceId;
    }
    if (this.size === this.modelCol.length) this.resize(this.size * 2);
    const i = this.size++;
    this.spanIds[i] = call.spanId;
    this.startNsCol[i] = call.startTimeUnixNano;
    this.providerCol[i] = this.text(call.provider);
    this.operationCol[i] = this.text(call.operation);
    this.requestModelCol[i] = this.text(call.requestModel);
    this.reasonsCol[i] = this.reasons(call.finishReasons);
    this.ttftCol[i] = call.timeToFirstTokenMs ?? Number.NaN;
    this.streamingCol[i] = call.streaming === null ? STREAMING_UNKNOWN : call.streaming ? STREAMING_YES : STREAMING_NO;
    this.modelCol[i] = intern(this.models, this.modelIds, call.usage.model);
    this.serviceCol[i] = intern(this.services, this.serviceIds, call.service);
    this.slotCol[i] = slot;
    this.failedCol[i] = call.failed ? 1 : 0;
    this.startCol[i] = Number(call.startTimeUnixNano) / 1e6;
    this.durCol[i] = call.durationMs;
    this.inputCol[i] = call.usage.inputTokens;
    this.outputCol[i] = call.usage.outputTokens;
    this.cachedCol[i] = call.usage.cachedInputTokens;
  }

  evict(traceId: string): void {
    const slot = this.slots.get(traceId);
    if (slot === undefined) return;
    this.slots.delete(traceId);
    this.deadSlots[slot] = 1;
  }

  clear(): void {
    this.slots.clear();
    this.slotTraces = [];
    this.nextSlot = 0;
    this.size = 0;
    this.spanIds = [];
  }

  private text(value: string | null): number {
    return value === null ? -1 : intern(this.texts, this.textIds, value);
  }

  private reasons(list: string[]): number {
    const key = list.join("\u0000");
    let id = this.reasonIds.get(key);
    if (id === undefined) {
      id = this.reasonLists.length;
      this.reasonLists.push(list);
      this.reasonIds.set(key, id);
    }
    return id;
  }

  /** Row `i` as a call, priced at `prices`. */
  private callAt(i: number, prices: PriceTable): LlmCall {
    const textAt = (id: number) => (id < 0 ? null : (this.texts[id] as string));
    const usage = {
      model: this.models[this.modelCol[i] as number] as string,
      inputTokens: this.inputCol[i] as number,
      outputTokens: this.outputCol[i] as number,
      cachedInputTokens: this.cachedCol[i] as number,
    };
    const ttft = this.ttftCol[i] as number;
    const streaming = this.streamingCol[i] as number;
    return {
      traceId: this.slotTraces[this.slotCol[i] as number] as string,
      spanId: this.spanIds[i] as string,
      startTimeUnixNano: this.startNsCol[i] as bigint,
      service: this.services[this.serviceCol[i] as number] as string,
      provider: textAt(this.providerCol[i] as number),
      operation: textAt(this.operationCol[i] as number),
      requestModel: textAt(this.requestModelCol[i] as number),
      cost: costOf(usage, priceKeyOf(usage.model, prices), prices),
      durationMs: this.durCol[i] as number,
      timeToFirstTokenMs: Number.isNaN(ttft) ? null : ttft,
      finishReasons: [...(this.reasonLists[this.reasonsCol[i] as number] as string[])],
      streaming: streaming === STREAMING_UNKNOWN ? null : streaming === STREAMING_YES,
      failed: this.failedCol[i] === 1,
    };
  }

  /** Totals, groups, timeline and the newest calls in the window, at `prices`. */
  usage(query: LlmQuery, prices: PriceTable): LlmUsage {
    this.compactIfMostlyDead();
    const since = query.sinceUnixNano === undefined ? -Infinity : Number(query.sinceUnixNano) / 1e6;
    const until = query.untilUnixNano === undefined ? Infinity : Number(query.untilUnixNano) / 1e6;
    const onlyService = query.service === undefined ? -1 : (this.serviceIds.get(query.service) ?? -2);
    const { modelCol, serviceCol, slotCol, startCol, deadSlots } = this;

    // The rows in the window, and the traces they belong to.
    const rows = new Int32Array(onlyService === -2 ? 0 : this.size);
    let n = 0;
    let first = Infinity;
    let last = -Infinity;
    const seen = new Uint8Array(this.nextSlot);
    let traces = 0;
    for (let i = 0; i < rows.length; i++) {
      const start = startCol[i] as number;
      if (start < since || start > until) continue;
      if (onlyService >= 0 && serviceCol[i] !== onlyService) continue;
      const slot = slotCol[i] as number;
      if (deadSlots[slot] === 1) continue;
      rows[n++] = i;
      if (start < first) first = start;
      if (start > last) last = start;
      if (seen[slot] === 0) {
        seen[slot] = 1;
        traces++;
      }
    }

    const tokenPrices = this.models.map((model) => tokenPriceOf(model, prices));
    const usd = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const i = rows[r] as number;
      const price = tokenPrices[modelCol[i] as number];
      usd[r] = price === null || price === undefined ? Number.NaN : this.costAt(i, price);
    }
    const byModel = this.groups(rows, n, usd, modelCol, this.models);
    const byService = this.groups(rows, n, usd, serviceCol, this.services);
    const [totals] = this.groups(rows, n, usd, null, ["all"]);
    const timeline = this.timeline(rows, n, usd, first, last, query, byModel, byService);
    const calls = this.newest(rows, n, query.limit).map((i) => this.callAt(i, prices));
    return { totals: totals ?? emptyGroup("all"), byModel, byService, timeline, calls, traces };
  }

  private costAt(i: number, price: TokenPrice): number {
    const input = this.inputCol[i] as number;
    const cached = this.cachedCol[i] as number;
    return (input - cached) * price.input + cached * price.cached + (this.outputCol[i] as number) * price.output;
  }

  /** Groups by a column (or all rows as one when `column` is null), costliest first, then most calls. */
  private groups(
    rows: Int32Array,
    n: number,
    usd: Float64Array,
    column: Int32Array | null,
    names: readonly string[],
  ): LlmGroup[] {
    const count = names.length;
    const calls = new Int32Array(count);
    const [input, output, cached, dollars] = [0, 0, 0, 0].map(() => new Float64Array(count)) as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const unpriced = new Int32Array(count);
    const failed = new Int32Array(count);
    const { inputCol, outputCol, cachedCol, failedCol } = this;
    for (let r = 0; r < n; r++) {
      const i = rows[r] as number;
      const g = column === null ? 0 : (column[i] as number);
      calls[g] = (calls[g] as number) + 1;
      input[g] = (input[g] as number) + (inputCol[i] as number);
      output[g] = (output[g] as number) + (outputCol[i] as number);
      cached[g] = (cached[g] as number) + (cachedCol[i] as number);
      const cost = usd[r] as number;
      if (Number.isNaN(cost)) unpriced[g] = (unpriced[g] as number) + 1;
      else dollars[g] = (dollars[g] as number) + cost;
      failed[g] = (failed[g] as number) + (failedCol[i] as number);
    }
    const durations = names.map((_, g) => new Float64Array(calls[g] as number));
    const filled = new Int32Array(count);
    for (let r = 0; r < n; r++) {
      const i = rows[r] as number;
      const g = column === null ? 0 : (column[i] as number);
      (durations[g] as Float64Array)[(filled[g] as number)++] = this.durCol[i] as number;
    }
    const out: LlmGroup[] = [];
    for (let g = 0; g < count; g++) {
      if (calls[g] === 0) continue;
      const [p50Ms = 0, p95Ms = 0] = selectPercentiles(durations[g] as Float64Array, [50, 95]);
      out.push({
        key: names[g] as string,
        calls: calls[g] as number,
        inputTokens: input[g] as number,
        outputTokens: output[g] as number,
        cachedInputTokens: cached[g] as number,
        usd: (dollars[g] as number) / 1e6,
        unpriced: unpriced[g] as number,
        failed: failed[g] as number,
        p50Ms,
        p95Ms,
      });
    }
    return out.sort((x, y) => y.usd - x.usd || y.calls - x.calls || x.key.localeCompare(y.key));
  }

  private timeline(
    rows: Int32Array,
    n: number,
    usd: Float64Array,
    first: number,
    last: number,
    query: LlmQuery,
    byModel: LlmGroup[],
    byService: LlmGroup[],
  ): LlmTimeline {
    const from = query.sinceUnixNano !== undefined ? Number(query.sinceUnixNano / 1_000_000n) : first;
    const to = query.untilUnixNano !== undefined ? Number(query.untilUnixNano / 1_000_000n) : last;
    const { startMs, stepMs, buckets } = timelineBuckets(from, to, n);
    const lines = (groups: LlmGroup[], names: readonly string[], column: Int32Array): LlmSeries[] => {
      const lineOf = new Int32Array(names.length).fill(-1);
      const series: LlmSeries[] = [];
      const newLine = (key: string): LlmSeries => {
        const line = { key, calls: zeros(buckets), tokens: zeros(buckets), usd: zeros(buckets) };
        series.push(line);
        return line;
      };
      groups.slice(0, MAX_SERIES).forEach((group, at) => {
        newLine(group.key);
        lineOf[names.indexOf(group.key)] = at;
      });
      let other: LlmSeries | null = null;
      for (let r = 0; r < n; r++) {
        const i = rows[r] as number;
        const bucket = Math.floor(((this.startCol[i] as number) - startMs) / stepMs);
        if (bucket < 0 || bucket >= buckets) continue;
        const at = lineOf[column[i] as number] as number;
        if (at < 0 && other === null) other = newLine("other");
        const line = at >= 0 ? (series[at] as LlmSeries) : (other as LlmSeries);
        line.calls[bucket] = (line.calls[bucket] as number) + 1;
        line.tokens[bucket] =
          (line.tokens[bucket] as number) + (this.inputCol[i] as number) + (this.outputCol[i] as number);
        const cost = usd[r] as number;
        if (!Number.isNaN(cost)) line.usd[bucket] = (line.usd[bucket] as number) + cost / 1e6;
      }
      return series;
    };
    return {
      startMs,
      stepMs,
      buckets,
      byModel: lines(byModel, this.models, this.modelCol),
      byService: lines(byService, this.services, this.serviceCol),
    };
  }

  /** Row numbers of the `limit` newest calls, newest first (ties: the later arrival first). */
  private newest(rows: Int32Array, n: number, limit: number): number[] {
    let picked: number[];
    if (n <= limit) picked = Array.from(rows.subarray(0, n));
    else {
      const starts = new Float64Array(n);
      for (let r = 0; r < n; r++) starts[r] = this.startCol[rows[r] as number] as number;
      const threshold = starts.sort()[n - limit] as number;
      picked = [];
      for (let r = 0; r < n; r++) {
        const i = rows[r] as number;
        if ((this.startCol[i] as number) >= threshold) picked.push(i);
      }
    }
    const byStart = (i: number) => this.startNsCol[i] as bigint;
    picked.sort((a, b) => (byStart(a) < byStart(b) ? 1 : byStart(a) > byStart(b) ? -1 : b - a));
    return picked.slice(0, limit);
  }

  private resize(capacity: number): void {
    this.modelCol = resized(this.modelCol, capacity);
    this.serviceCol = resized(this.serviceCol, capacity);
    this.slotCol = resized(this.slotCol, capacity);
    this.failedCol = resized(this.failedCol, capacity);
    this.startCol = resized(this.startCol, capacity);
    this.durCol = resized(this.durCol, capacity);
    this.inputCol = resized(this.inputCol, capacity);
    this.outputCol = resized(this.outputCol, capacity);
    this.cachedCol = resized(this.cachedCol, capacity);
    this.startNsCol = resized(this.startNsCol, capacity);
    this.providerCol = resized(this.providerCol, capacity);
    this.operationCol = resized(this.operationCol, capacity);
    this.requestModelCol = resized(this.requestModelCol, capacity);
    this.reasonsCol = resized(this.reasonsCol, capacity);
    this.ttftCol = resized(this.ttftCol, capacity);
    this.streamingCol = resized(this.streamingCol, capacity);
  }

  private compactIfMostlyDead(): void {
    const live = this.slots.size;
    if ((this.nextSlot - live) * 2 <= this.nextSlot) return;
    const newSlot = new Int32Array(this.nextSlot).fill(-1);
    let slots = 0;
    const slotTraces: string[] = [];
    for (const [traceId, slot] of this.slots) {
      newSlot[slot] = slots;
      slotTraces[slots] = traceId;
      this.slots.set(traceId, slots++);
    }
    this.slotTraces = slotTraces;
    let kept = 0;
    const columns = [
      this.modelCol,
      this.serviceCol,
      this.failedCol,
      this.startCol,
      this.durCol,
      this.inputCol,
      this.outputCol,
      this.cachedCol,
      this.providerCol,
      this.operationCol,
      this.requestModelCol,
      this.reasonsCol,
      this.ttftCol,
      this.streamingCol,
    ];
    for (let i = 0; i < this.size; i++) {
      const slot = newSlot[this.slotCol[i] as number] as number;
      if (slot < 0) continue;
      for (const column of columns) column[kept] = column[i] as number;
      this.slotCol[kept] = slot;
      this.startNsCol[kept] = this.startNsCol[i] as bigint;
      this.spanIds[kept] = this.spanIds[i] as string;
      kept++;
    }
    this.size = kept;
    this.spanIds.length = kept;
    this.nextSlot = slots;
    this.deadSlots.fill(0);
  }
}

function intern(names: string[], ids: Map<string, number>, name: string): number {
  let id = ids.get(name);
  if (id === undefined) {
    id = names.length;
    names.push(name);
    ids.set(name, id);
  }
  return id;
}

function tokenPriceOf(model: string, prices: PriceTable): TokenPrice | null {
  const key = priceKeyOf(model, prices);
  const price = key === null ? undefined : prices[key];
  if (price === undefined) return null;
  return { input: price.input, cached: price.cachedInput ?? price.input, output: price.output };
}

function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}
