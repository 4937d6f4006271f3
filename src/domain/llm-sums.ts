/**
 * What the LLM page adds up, per group (a model, a service, or all calls) and per line of its charts,
 * from sums of calls and tokens: cost is linear in tokens, so a sum is priced once. Pure; no I/O.
 */
import { Durations } from "./durations.js";
import { type LlmGroup, type LlmSeries, MAX_SERIES } from "./llm-usage.js";
import { ascending } from "./order.js";

/** Calls, tokens, cost and durations per group (a model, a service, or all). */
export class GroupSums {
  readonly calls: Int32Array;
  readonly input: Float64Array;
  readonly output: Float64Array;
  readonly cached: Float64Array;
  readonly cacheWrite: Float64Array;
  /** Of the priced calls, per 1M tokens' prices (USD × 1e6). */
  readonly cost: Float64Array;
  readonly unpriced: Int32Array;
  readonly failed: Int32Array;
  /** Calls that reported no token count; and of them, those to a model without a price (in `unpriced` too). */
  readonly noUsage: Int32Array;
  readonly unpricedNoUsage: Int32Array;
  readonly durations: Durations[] = [];

  constructor(readonly names: readonly string[]) {
    const n = names.length;
    this.calls = new Int32Array(n);
    this.unpriced = new Int32Array(n);
    this.failed = new Int32Array(n);
    this.noUsage = new Int32Array(n);
    this.unpricedNoUsage = new Int32Array(n);
    this.input = new Float64Array(n);
    this.output = new Float64Array(n);
    this.cached = new Float64Array(n);
    this.cacheWrite = new Float64Array(n);
    this.cost = new Float64Array(n);
  }

  /** Adds `calls` calls with these sums (`input` counts every input token, `cached` and `cacheWrite` among them); `cost` NaN: unpriced. */
  add(
    g: number,
    calls: number,
    input: number,
    output: number,
    cached: number,
    cacheWrite: number,
    cost: number,
    failed: number,
    noUsage: number,
  ): void {
    this.calls[g] = (this.calls[g] as number) + calls;
    this.input[g] = (this.input[g] as number) + input;
    this.output[g] = (this.output[g] as number) + output;
    this.cached[g] = (this.cached[g] as number) + cached;
    this.cacheWrite[g] = (this.cacheWrite[g] as number) + cacheWrite;
    if (Number.isNaN(cost)) {
      // A price is the model's: every call of these sums is unpriced, those without usage among them.
      this.unpriced[g] = (this.unpriced[g] as number) + calls;
      this.unpricedNoUsage[g] = (this.unpricedNoUsage[g] as number) + noUsage;
    } else {
      this.cost[g] = (this.cost[g] as number) + cost;
    }
    this.failed[g] = (this.failed[g] as number) + failed;
    this.noUsage[g] = (this.noUsage[g] as number) + noUsage;
  }

  durationsOf(g: number): Durations {
    let set = this.durations[g];
    if (set === undefined) {
      set = new Durations();
      this.durations[g] = set;
    }
    return set;
  }

  /** The groups with calls, costliest first, then most calls. */
  groups(): LlmGroup[] {
    const out: LlmGroup[] = [];
    for (let g = 0; g < this.names.length; g++) {
      if (this.calls[g] === 0) continue;
      const [p50Ms = 0, p95Ms = 0] = this.durationsOf(g).percentiles([50, 95]);
      out.push({
        key: this.names[g] as string,
        calls: this.calls[g] as number,
        inputTokens: this.input[g] as number,
        outputTokens: this.output[g] as number,
        cachedInputTokens: this.cached[g] as number,
        cacheWriteInputTokens: this.cacheWrite[g] as number,
        usd: (this.cost[g] as number) / 1e6,
        unpriced: this.unpriced[g] as number,
        noUsage: this.noUsage[g] as number,
        unpricedNoUsage: this.unpricedNoUsage[g] as number,
        failed: this.failed[g] as number,
        p50Ms,
        p95Ms,
      });
    }
    return out.sort((x, y) => y.usd - x.usd || y.calls - x.calls || ascending(x.key, y.key));
  }
}

/** One chart's lines: a line per group listed (up to MAX_SERIES), the other groups added up as "other". */
export class TimelineLines {
  readonly series: LlmSeries[] = [];
  private readonly lineOf: Int32Array;
  private other: LlmSeries | null = null;

  constructor(
    groups: LlmGroup[],
    names: readonly string[],
    private readonly buckets: number,
  ) {
    this.lineOf = new Int32Array(names.length).fill(-1);
    groups.slice(0, MAX_SERIES).forEach((group, at) => {
      this.newLine(group.key);
      this.lineOf[names.indexOf(group.key)] = at;
    });
  }

  /** Adds to group `key`'s line (or "other") in `bucket`; `cost` NaN: unpriced. */
  add(key: number, bucket: number, calls: number, tokens: number, cost: number): void {
    const at = this.lineOf[key] as number;
    let line: LlmSeries;
    if (at >= 0) line = this.series[at] as LlmSeries;
    else {
      this.other ??= this.newLine("other");
      line = this.other;
    }
    line.calls[bucket] = (line.calls[bucket] as number) + calls;
    line.tokens[bucket] = (line.tokens[bucket] as number) + tokens;
    if (!Number.isNaN(cost)) line.usd[bucket] = (line.usd[bucket] as number) + cost / 1e6;
  }

  private newLine(key: string): LlmSeries {
    const zeros = () => new Array<number>(this.buckets).fill(0);
    const line = { key, calls: zeros(), tokens: zeros(), usd: zeros() };
    this.series.push(line);
    return line;
  }
}
