/**
 * Every GenAI call of the stored traces, kept span by span in typed columns (model, service, start,
 * duration, tokens, failed, usage reported) beside each call's details. A read adds up cells per minute (see
 * minute-rows.ts): per (model, service) pair its calls, token sums, failures and sorted durations,
 * rebuilt only for minutes that changed, so the LLM totals over a million stored spans sum a few
 * thousand cells; pairs are priced per model at read time (cost is linear in tokens, so pricing the
 * sums is pricing each call). Only the newest `limit` calls are built as objects. A call's other
 * details are kept in columns too (names interned, start as a 64-bit integer): a hundred thousand
 * calls as objects would weigh tens of MB. Evicting a trace marks its slot dead; dead rows are dropped
 * once they are half of what is kept. Pure; no I/O.
 */
import { CellScratch, cellStart, type SortedCells, sortCells } from "./durations.js";
import { intern, itself } from "./intern.js";
import { costOf, type PriceTable, priceKeyOf, type TokenPrice, tokenCost, tokenPriceOf } from "./llm-cost.js";
import { GroupSums, TimelineLines } from "./llm-sums.js";
import { emptyGroup, type LlmCall, type LlmGroup, type LlmTimeline, llmSpanOf, timelineBuckets } from "./llm-usage.js";
import { type Minute, MinuteRows, minuteLog } from "./minute-rows.js";
import type { Span } from "./span.js";
import { resized } from "./typed-arrays.js";

export interface LlmQuery {
  sinceUnixNano?: bigint;
  untilUnixNano?: bigint;
  /** Only calls made by this service. */
  service?: string;
  /** How many of the newest calls to list. */
  limit: number;
  /**
   * With `since` and no `until`: where the timeline ends when that is after the newest call (the
   * request's now, unix ms), so a window up to now is drawn up to now, quiet minutes at its end too.
   */
  timelineEndMs?: number;
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

/** The minutes a read covers, each with whether all its calls are in the time window, and the test for one call. */
interface WindowMinutes {
  minutes: Minute<LlmCells>[];
  whole: boolean[];
  /** Only the calls of this service count (-1: all). */
  service: number;
  /** Whether call `row` is in the window and of the service. */
  inWindow(row: number): boolean;
}

/** What one minute's calls add up to per (model, service) pair (see SortedCells: `keys` are pairs). */
interface LlmCells extends SortedCells {
  /** The pair of each of the minute's rows, in their order. */
  rowPairs: Int32Array;
  failed: Int32Array;
  /** Calls that reported no token count. */
  noUsage: Int32Array;
  input: Float64Array;
  output: Float64Array;
  cached: Float64Array;
  cacheWrite: Float64Array;
  /** Sums per 10 seconds, for timelines finer than a minute; null for a minute with few calls per pair. */
  slots: SlotSums | null;
}

/** 10-second slots in a minute. */
const SLOTS = 6;
/** A minute keeps sums per slot when it has at least this many calls per pair (so they weigh little beside the calls). */
const CALLS_PER_SLOT_SUMS = 4 * SLOTS;

/**
 * A minute's calls per pair and slot (index `cell * SLOTS + slot`), and each slot's earliest and
 * latest start (NaN: no call): all of a slot's calls fall in the timeline bucket of both or the slot
 * cannot be used.
 */
interface SlotSums {
  calls: Int32Array;
  input: Float64Array;
  output: Float64Array;
  cached: Float64Array;
  cacheWrite: Float64Array;
  minStart: Float64Array;
  maxStart: Float64Array;
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
  private deadSlots = new Uint8Array(INITIAL);
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
  /** 1 for a call whose span reports no token count. */
  private noUsageCol = new Int32Array(INITIAL);
  private startCol = new Float64Array(INITIAL);
  private durCol = new Float64Array(INITIAL);
  private inputCol = new Float64Array(INITIAL);
  private outputCol = new Float64Array(INITIAL);
  private cachedCol = new Float64Array(INITIAL);
  private cacheWriteCol = new Float64Array(INITIAL);
  /** Model × service pairs, numbered for the cells. */
  private readonly pairIds = new Map<number, number>();
  private readonly pairModels: number[] = [];
  private readonly pairServices: number[] = [];
  /** Calls per pair while a minute is built (zero between builds), and the other working arrays. */
  private pairCounts = new Int32Array(0);
  private readonly scratch = new CellScratch();
  /** The calls by minute of start, and each minute's sums per pair: what a read adds up. */
  private readonly byMinute = new MinuteRows<LlmCells>((rows, n) => this.cellsOf(rows, n), {
    log: () => minuteLog(this.size, this.nextSlot, this.startCol, this.slotCol, this.deadSlots),
    compact: () => this.compactIfMostlyDead(),
  });

  /** Calls kept, those of evicted traces included until compaction. */
  get rows(): number {
    return this.size;
  }

  /** A span the store just accepted (each span once). */
  add(span: Span): void {
    const call = llmSpanOf(span);
    if (call === null) return;
    this.byMinute.beforeAppend(this.size, this.modelCol.length);
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
    const model = intern(this.models, this.modelIds, call.usage.model, itself);
    this.modelCol[i] = model;
    this.serviceCol[i] = intern(this.services, this.serviceIds, call.service, itself);
    this.slotCol[i] = slot;
    this.failedCol[i] = call.failed ? 1 : 0;
    this.noUsageCol[i] = call.usage.usageReported ? 0 : 1;
    this.startCol[i] = Number(call.startTimeUnixNano) / 1e6;
    this.durCol[i] = call.durationMs;
    this.inputCol[i] = call.usage.inputTokens;
    this.outputCol[i] = call.usage.outputTokens;
    this.cachedCol[i] = call.usage.cachedInputTokens;
    this.cacheWriteCol[i] = call.usage.cacheWriteInputTokens;
  }

  evict(traceId: string): void {
    const slot = this.slots.get(traceId);
    if (slot === undefined) return;
    this.slots.delete(traceId);
    this.deadSlots[slot] = 1;
    this.byMinute.slotDied(slot);
  }

  clear(): void {
    this.slots.clear();
    this.slotTraces = [];
    this.nextSlot = 0;
    this.size = 0;
    this.spanIds = [];
    this.byMinute.clear();
  }

  /**
   * Requested model → the model that answered it, as the newest kept call naming both says: a call
   * that failed before an answer names only the model it asked for, and is counted with the
   * answering model's calls. Read from the kept calls at each read (one per LLM call, not per span),
   * so an evicted call's answer is forgotten with it.
   */
  private answeredAs(): Map<string, number> {
    const out = new Map<string, number>();
    const { requestModelCol, modelCol, slotCol, deadSlots } = this;
    for (let i = this.size - 1; i >= 0; i--) {
      const requested = requestModelCol[i] as number;
      if (requested < 0 || deadSlots[slotCol[i] as number] === 1) continue;
      const name = this.texts[requested] as string;
      const model = modelCol[i] as number;
      if (name !== this.models[model] && !out.has(name)) out.set(name, model);
    }
    return out;
  }

  private text(value: string | null): number {
    return value === null ? -1 : intern(this.texts, this.textIds, value, itself);
  }

  private reasons(list: string[]): number {
    return intern(this.reasonLists, this.reasonIds, list.join("\u0000"), () => list);
  }

  /** Row `i` as a call, priced at `prices`, where model `m`'s key is `priceKeys[m]`. */
  private callAt(i: number, prices: PriceTable, priceKeys: readonly (string | null)[]): LlmCall {
    const textAt = (id: number) => (id < 0 ? null : (this.texts[id] as string));
    const usage = {
      model: this.models[this.modelCol[i] as number] as string,
      inputTokens: this.inputCol[i] as number,
      outputTokens: this.outputCol[i] as number,
      cachedInputTokens: this.cachedCol[i] as number,
      cacheWriteInputTokens: this.cacheWriteCol[i] as number,
      usageReported: this.noUsageCol[i] === 0,
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
      cost: costOf(usage, priceKeys[this.modelCol[i] as number] ?? null, prices),
      durationMs: this.durCol[i] as number,
      timeToFirstTokenMs: Number.isNaN(ttft) ? null : ttft,
      finishReasons: [...(this.reasonLists[this.reasonsCol[i] as number] as string[])],
      streaming: streaming === STREAMING_UNKNOWN ? null : streaming === STREAMING_YES,
      failed: this.failedCol[i] === 1,
    };
  }

  /** Does ahead, until `deadline` (performance.now()), the work the next `usage` would start with; true once none is left. */
  warm(deadline: number): boolean {
    return this.byMinute.warm(deadline);
  }

  /** Whether the next read would find nothing to fold or rebuild. */
  get upToDate(): boolean {
    return this.byMinute.upToDate();
  }

  /** Totals, groups, timeline and the newest calls in the window, at `prices`. */
  usage(query: LlmQuery, prices: PriceTable): LlmUsage {
    this.byMinute.sync();
    const since = query.sinceUnixNano === undefined ? -Infinity : Number(query.sinceUnixNano) / 1e6;
    const until = query.untilUnixNano === undefined ? Infinity : Number(query.untilUnixNano) / 1e6;
    const onlyService = query.service === undefined ? -1 : (this.serviceIds.get(query.service) ?? -2);
    const everything = since === -Infinity && until === Infinity && onlyService === -1;
    const priceKeys = this.models.map((model) => priceKeyOf(model, prices));
    const tokenPrices = priceKeys.map((key) => tokenPriceOf(key, prices));
    // Each model's row in the answer (see answeredAs); prices stay each call's own model's.
    const answeredAs = this.answeredAs();
    const rowOf = this.models.map((name, m) => answeredAs.get(name) ?? m);
    const byModel = new GroupSums(this.models);
    const byService = new GroupSums(this.services);
    const all = new GroupSums(["all"]);
    const {
      modelCol,
      serviceCol,
      slotCol,
      startCol,
      durCol,
      failedCol,
      noUsageCol,
      inputCol,
      outputCol,
      cachedCol,
      cacheWriteCol,
    } = this;
    const byMinute = this.byMinute;
    byMinute.startCount();
    let traces = 0;
    let calls = 0;
    let first = Infinity;
    let last = -Infinity;
    /** The minutes in the window, and whether each is whole in it (and in the service asked for). */
    const minutes: Minute<LlmCells>[] = [];
    const whole: boolean[] = [];
    const addRow = (i: number) => {
      const model = modelCol[i] as number;
      const service = serviceCol[i] as number;
      const price = tokenPrices[model];
      const input = inputCol[i] as number;
      const output = outputCol[i] as number;
      const cached = cachedCol[i] as number;
      const cacheWrite = cacheWriteCol[i] as number;
      const cost = price === null || price === undefined ? Number.NaN : this.costAt(i, price);
      const failed = failedCol[i] as number;
      const noUsage = noUsageCol[i] as number;
      const duration = durCol[i] as number;
      byModel.add(rowOf[model] as number, 1, input, output, cached, cacheWrite, cost, failed, noUsage);
      byModel.durationsOf(rowOf[model] as number).add(duration);
      byService.add(service, 1, input, output, cached, cacheWrite, cost, failed, noUsage);
      byService.durationsOf(service).add(duration);
      all.add(0, 1, input, output, cached, cacheWrite, cost, failed, noUsage);
      all.durationsOf(0).add(duration);
      traces += byMinute.countSlot(slotCol[i] as number);
      const start = startCol[i] as number;
      if (start < first) first = start;
      if (start > last) last = start;
      calls++;
    };
    const inWindow = (i: number) => {
      const start = startCol[i] as number;
      return start >= since && start <= until && (onlyService < 0 || serviceCol[i] === onlyService);
    };
    if (onlyService !== -2) {
      byMinute.each(since, until, (minute, allIn) => {
        minutes.push(minute);
        const cells = minute.cells as LlmCells;
        if (!allIn) {
          for (let r = 0; r < minute.n; r++) {
            const i = minute.rows[r] as number;
            if (inWindow(i)) addRow(i);
          }
          whole.push(false);
          return;
        }
        for (let c = 0; c < cells.keys.length; c++) {
          const pair = cells.keys[c] as number;
          const model = this.pairModels[pair] as number;
          const service = this.pairServices[pair] as number;
          if (onlyService >= 0 && service !== onlyService) continue;
          const price = tokenPrices[model];
          const count = (cells.ends[c] as number) - cellStart(cells, c);
          const input = cells.input[c] as number;
          const output = cells.output[c] as number;
          const cached = cells.cached[c] as number;
          const cacheWrite = cells.cacheWrite[c] as number;
          const cost =
            price === null || price === undefined ? Number.NaN : tokenCost(input, output, cached, cacheWrite, price);
          const failed = cells.failed[c] as number;
          const noUsage = cells.noUsage[c] as number;
          byModel.add(rowOf[model] as number, count, input, output, cached, cacheWrite, cost, failed, noUsage);
          byModel.durationsOf(rowOf[model] as number).addCell(cells, c);
          byService.add(service, count, input, output, cached, cacheWrite, cost, failed, noUsage);
          byService.durationsOf(service).addCell(cells, c);
          all.add(0, count, input, output, cached, cacheWrite, cost, failed, noUsage);
          all.durationsOf(0).addCell(cells, c);
        }
        if (onlyService < 0) {
          if (!everything) traces += byMinute.countSlots(minute);
          if (minute.minStart < first) first = minute.minStart;
          if (minute.maxStart > last) last = minute.maxStart;
          calls += minute.n;
        } else {
          for (let r = 0; r < minute.n; r++) {
            const i = minute.rows[r] as number;
            if (serviceCol[i] !== onlyService) continue;
            traces += byMinute.countSlot(slotCol[i] as number);
            const start = startCol[i] as number;
            if (start < first) first = start;
            if (start > last) last = start;
            calls++;
          }
        }
        whole.push(true);
      });
    }
    // Every trace kept has a call, and all of them count.
    if (everything) traces = this.slots.size;
    const models = byModel.groups();
    const services = byService.groups();
    const [totals] = all.groups();
    const span = { minutes, whole, service: onlyService, inWindow };
    const timeline = this.timeline(span, calls, first, last, query, models, services, tokenPrices, rowOf);
    const newest = this.newest(span, query.limit).map((i) => this.callAt(i, prices, priceKeys));
    return {
      totals: totals ?? emptyGroup("all"),
      byModel: models,
      byService: services,
      timeline,
      calls: newest,
      traces,
    };
  }

  private costAt(i: number, price: TokenPrice): number {
    return tokenCost(
      this.inputCol[i] as number,
      this.outputCol[i] as number,
      this.cachedCol[i] as number,
      this.cacheWriteCol[i] as number,
      price,
    );
  }

  /** One minute's calls `rows[0, n)` added up per (model, service) pair. */
  private cellsOf(rows: Int32Array, n: number): LlmCells {
    const { modelCol, serviceCol, durCol, failedCol, noUsageCol, inputCol, outputCol, cachedCol, cacheWriteCol } = this;
    const { durationOf, cellOf } = this.scratch.take(n);
    // Kept with the cells: the timeline reads each row's pair.
    const pairOf = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const i = rows[r] as number;
      const model = modelCol[i] as number;
      const service = serviceCol[i] as number;
      const key = model * 67_108_864 + service;
      let pair = this.pairIds.get(key);
      if (pair === undefined) {
        pair = this.pairModels.length;
        this.pairModels.push(model);
        this.pairServices.push(service);
        this.pairIds.set(key, pair);
      }
      pairOf[r] = pair;
      durationOf[r] = durCol[i] as number;
    }
    if (this.pairCounts.length < this.pairModels.length) this.pairCounts = new Int32Array(this.pairModels.length * 2);
    const cells = sortCells(pairOf, durationOf, n, this.pairCounts, cellOf);
    const cellCount = cells.keys.length;
    const failed = new Int32Array(cellCount);
    const noUsage = new Int32Array(cellCount);
    const input = new Float64Array(cellCount);
    const output = new Float64Array(cellCount);
    const cached = new Float64Array(cellCount);
    const cacheWrite = new Float64Array(cellCount);
    for (let r = 0; r < n; r++) {
      const i = rows[r] as number;
      const c = cellOf[r] as number;
      failed[c] = (failed[c] as number) + (failedCol[i] as number);
      noUsage[c] = (noUsage[c] as number) + (noUsageCol[i] as number);
      input[c] = (input[c] as number) + (inputCol[i] as number);
      output[c] = (output[c] as number) + (outputCol[i] as number);
      cached[c] = (cached[c] as number) + (cachedCol[i] as number);
      cacheWrite[c] = (cacheWrite[c] as number) + (cacheWriteCol[i] as number);
    }
    const slots = n >= CALLS_PER_SLOT_SUMS * cellCount ? this.slotSums(rows, n, cellOf, cellCount) : null;
    return { ...cells, rowPairs: pairOf, failed, noUsage, input, output, cached, cacheWrite, slots };
  }

  /** Whether the calls of each of a minute's slots all fall in one bucket of the timeline. */
  private slotsInOneBucket(slots: SlotSums, startMs: number, stepMs: number): boolean {
    for (let slot = 0; slot < SLOTS; slot++) {
      const first = slots.minStart[slot] as number;
      if (Number.isNaN(first)) continue;
      if (Math.floor((first - startMs) / stepMs) !== Math.floor(((slots.maxStart[slot] as number) - startMs) / stepMs))
        return false;
    }
    return true;
  }

  /** A minute's sums per pair and slot; `cellOf[r]` is row `r`'s cell. */
  private slotSums(rows: Int32Array, n: number, cellOf: Int32Array, cellCount: number): SlotSums {
    const { startCol, inputCol, outputCol, cachedCol, cacheWriteCol } = this;
    const sums: SlotSums = {
      calls: new Int32Array(cellCount * SLOTS),
      input: new Float64Array(cellCount * SLOTS),
      output: new Float64Array(cellCount * SLOTS),
      cached: new Float64Array(cellCount * SLOTS),
      cacheWrite: new Float64Array(cellCount * SLOTS),
      minStart: new Float64Array(SLOTS).fill(Number.NaN),
      maxStart: new Float64Array(SLOTS).fill(Number.NaN),
    };
    for (let r = 0; r < n; r++) {
      const i = rows[r] as number;
      const start = startCol[i] as number;
      const slot = Math.min(Math.max(Math.floor(start / 10_000) - Math.floor(start / 60_000) * SLOTS, 0), SLOTS - 1);
      const at = (cellOf[r] as number) * SLOTS + slot;
      sums.calls[at] = (sums.calls[at] as number) + 1;
      sums.input[at] = (sums.input[at] as number) + (inputCol[i] as number);
      sums.output[at] = (sums.output[at] as number) + (outputCol[i] as number);
      sums.cached[at] = (sums.cached[at] as number) + (cachedCol[i] as number);
      sums.cacheWrite[at] = (sums.cacheWrite[at] as number) + (cacheWriteCol[i] as number);
      if (!(start >= (sums.minStart[slot] as number))) sums.minStart[slot] = start;
      if (!(start <= (sums.maxStart[slot] as number))) sums.maxStart[slot] = start;
    }
    return sums;
  }

  /** Calls, tokens and cost per bucket of time, for the costliest models and services (the rest as "other"). */
  private timeline(
    span: WindowMinutes,
    calls: number,
    first: number,
    last: number,
    query: LlmQuery,
    byModel: LlmGroup[],
    byService: LlmGroup[],
    tokenPrices: (TokenPrice | null)[],
    rowOf: readonly number[],
  ): LlmTimeline {
    const from = query.sinceUnixNano !== undefined ? Number(query.sinceUnixNano / 1_000_000n) : first;
    const to =
      query.untilUnixNano !== undefined
        ? Number(query.untilUnixNano / 1_000_000n)
        : Math.max(last, query.sinceUnixNano !== undefined ? (query.timelineEndMs ?? last) : last);
    const { startMs, stepMs, buckets } = timelineBuckets(from, to, calls);
    // Sums per (pair, bucket) first; cost is linear in tokens, so each sum is priced once.
    const pairs = this.pairModels.length;
    const count = new Float64Array(pairs * buckets);
    const input = new Float64Array(pairs * buckets);
    const output = new Float64Array(pairs * buckets);
    const cached = new Float64Array(pairs * buckets);
    const cacheWrite = new Float64Array(pairs * buckets);
    const { startCol, inputCol, outputCol, cachedCol, cacheWriteCol } = this;
    for (let m = 0; m < span.minutes.length; m++) {
      const minute = span.minutes[m] as Minute<LlmCells>;
      const cells = minute.cells as LlmCells;
      const whole = span.whole[m] === true;
      const bucket = Math.floor((minute.minStart - startMs) / stepMs);
      if (whole && bucket === Math.floor((minute.maxStart - startMs) / stepMs)) {
        // Every call of the minute falls in one bucket: its sums answer.
        if (bucket < 0 || bucket >= buckets) continue;
        for (let c = 0; c < cells.keys.length; c++) {
          const pair = cells.keys[c] as number;
          if (span.service >= 0 && this.pairServices[pair] !== span.service) continue;
          const at = pair * buckets + bucket;
          count[at] = (count[at] as number) + (cells.ends[c] as number) - cellStart(cells, c);
          input[at] = (input[at] as number) + (cells.input[c] as number);
          output[at] = (output[at] as number) + (cells.output[c] as number);
          cached[at] = (cached[at] as number) + (cells.cached[c] as number);
          cacheWrite[at] = (cacheWrite[at] as number) + (cells.cacheWrite[c] as number);
        }
        continue;
      }
      const slots = cells.slots;
      if (whole && slots !== null && this.slotsInOneBucket(slots, startMs, stepMs)) {
        // Every call of each 10-second slot falls in one bucket: the slot's sums answer.
        for (let slot = 0; slot < SLOTS; slot++) {
          if (Number.isNaN(slots.minStart[slot] as number)) continue;
          const b = Math.floor(((slots.minStart[slot] as number) - startMs) / stepMs);
          if (b < 0 || b >= buckets) continue;
          for (let c = 0; c < cells.keys.length; c++) {
            const pair = cells.keys[c] as number;
            const from = c * SLOTS + slot;
            if (slots.calls[from] === 0 || (span.service >= 0 && this.pairServices[pair] !== span.service)) continue;
            const at = pair * buckets + b;
            count[at] = (count[at] as number) + (slots.calls[from] as number);
            input[at] = (input[at] as number) + (slots.input[from] as number);
            output[at] = (output[at] as number) + (slots.output[from] as number);
            cached[at] = (cached[at] as number) + (slots.cached[from] as number);
            cacheWrite[at] = (cacheWrite[at] as number) + (slots.cacheWrite[from] as number);
          }
        }
        continue;
      }
      const all = whole && span.service < 0;
      for (let r = 0; r < minute.n; r++) {
        const i = minute.rows[r] as number;
        if (!all && !span.inWindow(i)) continue;
        const b = Math.floor(((startCol[i] as number) - startMs) / stepMs);
        if (b < 0 || b >= buckets) continue;
        const at = (cells.rowPairs[r] as number) * buckets + b;
        count[at] = (count[at] as number) + 1;
        input[at] = (input[at] as number) + (inputCol[i] as number);
        output[at] = (output[at] as number) + (outputCol[i] as number);
        cached[at] = (cached[at] as number) + (cachedCol[i] as number);
        cacheWrite[at] = (cacheWrite[at] as number) + (cacheWriteCol[i] as number);
      }
    }
    const models = new TimelineLines(byModel, this.models, buckets);
    const services = new TimelineLines(byService, this.services, buckets);
    for (let pair = 0; pair < pairs; pair++) {
      const model = this.pairModels[pair] as number;
      const service = this.pairServices[pair] as number;
      const price = tokenPrices[model];
      for (let bucket = 0; bucket < buckets; bucket++) {
        const at = pair * buckets + bucket;
        if (count[at] === 0) continue;
        const tokens = (input[at] as number) + (output[at] as number);
        const cost =
          price === null || price === undefined
            ? Number.NaN
            : tokenCost(
                input[at] as number,
                output[at] as number,
                cached[at] as number,
                cacheWrite[at] as number,
                price,
              );
        models.add(rowOf[model] as number, bucket, count[at] as number, tokens, cost);
        services.add(service, bucket, count[at] as number, tokens, cost);
      }
    }
    return { startMs, stepMs, buckets, byModel: models.series, byService: services.series };
  }

  /**
   * Row numbers of the `limit` newest calls, newest first (ties: the later arrival first). A later
   * minute holds only later calls, so minutes are read newest first until `limit` calls are found,
   * each minute whole (all its parts: the calls of one part are not all later than another's).
   */
  private newest(span: WindowMinutes, limit: number): number[] {
    const order = span.minutes
      .map((_, m) => m)
      .sort((a, b) => (span.minutes[b] as Minute<LlmCells>).minute - (span.minutes[a] as Minute<LlmCells>).minute);
    const picked: number[] = [];
    let lastMinute = Number.NaN;
    for (const m of order) {
      const minute = span.minutes[m] as Minute<LlmCells>;
      if (picked.length >= limit && minute.minute !== lastMinute) break;
      lastMinute = minute.minute;
      const all = span.whole[m] === true && span.service < 0;
      for (let r = 0; r < minute.n; r++) {
        const i = minute.rows[r] as number;
        if (all || span.inWindow(i)) picked.push(i);
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
    this.noUsageCol = resized(this.noUsageCol, capacity);
    this.startCol = resized(this.startCol, capacity);
    this.durCol = resized(this.durCol, capacity);
    this.inputCol = resized(this.inputCol, capacity);
    this.outputCol = resized(this.outputCol, capacity);
    this.cachedCol = resized(this.cachedCol, capacity);
    this.cacheWriteCol = resized(this.cacheWriteCol, capacity);
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
      this.noUsageCol,
      this.startCol,
      this.durCol,
      this.inputCol,
      this.outputCol,
      this.cachedCol,
      this.cacheWriteCol,
      this.providerCol,
      this.operationCol,
      this.requestModelCol,
      this.reasonsCol,
      this.ttftCol,
      this.streamingCol,
    ];
    const newRow = new Int32Array(this.size).fill(-1);
    for (let i = 0; i < this.size; i++) {
      const slot = newSlot[this.slotCol[i] as number] as number;
      if (slot < 0) continue;
      newRow[i] = kept;
      for (const column of columns) column[kept] = column[i] as number;
      this.slotCol[kept] = slot;
      this.startNsCol[kept] = this.startNsCol[i] as bigint;
      this.spanIds[kept] = this.spanIds[i] as string;
      kept++;
    }
    this.byMinute.renumber(newRow, newSlot, slots);
    this.size = kept;
    this.spanIds.length = kept;
    this.nextSlot = slots;
    this.deadSlots.fill(0);
  }
}
