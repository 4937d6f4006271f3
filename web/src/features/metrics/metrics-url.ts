/** The Metrics page's state as it lives in the URL (`/metrics?metric=…&window=1h…`), and the query it asks. Pure. */
import { distributionStat } from "../../../../src/domain/metric";
import type { MetricChart } from "../../../../src/protocol";

export const WINDOW_PRESETS = ["5m", "15m", "1h", "6h"] as const;
export type WindowPreset = (typeof WINDOW_PRESETS)[number];

const PRESET_MS: Record<WindowPreset, number> = {
  "5m": 5 * 60_000,
  "15m": 15 * 60_000,
  "1h": 60 * 60_000,
  "6h": 6 * 60 * 60_000,
};

export const DEFAULT_WINDOW: WindowPreset = "15m";

export const CHARTS: readonly MetricChart[] = ["rate", "value", "distribution", "quantiles"];

export interface MetricsUrlState {
  /** The selected metric's name. */
  metric?: string;
  /** Text typed into the catalog's search. */
  q?: string;
  service?: string;
  /** A data-point attribute key, or `service.name`. */
  groupBy?: string;
  window: WindowPreset;
  /** A custom range (unix ms) replaces the window; both or neither. */
  from?: number;
  to?: number;
  /** Which line each group draws when a distribution or summary has several groups: "p95", "0.99"… */
  stat?: string;
  /** Another of the metric's charts than its own: a counter's running total ("value"), TraceKit samples as values. */
  chart?: MetricChart;
  /** The lines hidden in the legend, by the legend's names of them ("route=/health", "p50"); never empty. */
  hide?: string[];
  /** Instead of `hide` when shorter: the only lines the legend shows (every other one hidden); never empty. */
  only?: string[];
}

function positiveInt(text: string | null): number | undefined {
  if (text === null || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export function metricsStateFromSearch(search: string | URLSearchParams): MetricsUrlState {
  const params = typeof search === "string" ? new URLSearchParams(search) : search;
  const windowParam = params.get("window");
  const state: MetricsUrlState = {
    window: (WINDOW_PRESETS as readonly string[]).includes(windowParam ?? "")
      ? (windowParam as WindowPreset)
      : DEFAULT_WINDOW,
  };
  const text = (name: string) => {
    const value = params.get(name)?.trim();
    return value ? value : undefined;
  };
  const metric = text("metric");
  if (metric) state.metric = metric;
  const q = text("q");
  if (q) state.q = q;
  const service = text("service");
  if (service) state.service = service;
  const groupBy = text("groupBy");
  if (groupBy) state.groupBy = groupBy;
  const from = positiveInt(params.get("from"));
  const to = positiveInt(params.get("to"));
  if (from !== undefined && to !== undefined && from < to) {
    state.from = from;
    state.to = to;
  }
  const stat = text("stat");
  if (stat) state.stat = stat;
  const chart = params.get("chart");
  if (chart !== null && (CHARTS as readonly string[]).includes(chart)) state.chart = chart as MetricChart;
  // A legend name may be blanks (a label sent as " "): only an empty one names no line.
  const names = (name: string) => [...new Set(params.getAll(name).filter((label) => label !== ""))];
  const only = names("only");
  const hide = names("hide");
  // One or the other is written; `only` wins when a hand-made link names both.
  if (only.length > 0) state.only = only;
  else if (hide.length > 0) state.hide = hide;
  return state;
}

/**
 * The state after a change on the page: a new grouping makes other lines, so the lines hidden in the
 * old one's legend are forgotten (a new statistic or window keeps them: its lines are the same groups).
 */
export function changedState(state: MetricsUrlState, patch: Partial<MetricsUrlState>): MetricsUrlState {
  const next = { ...state, ...patch };
  if ("groupBy" in patch && patch.groupBy !== state.groupBy && !("hide" in patch) && !("only" in patch)) {
    delete next.hide;
    delete next.only;
  }
  return next;
}

/** The URL query for a state ("" when it is all defaults), in a stable order. */
export function metricsStateToSearch(state: MetricsUrlState): string {
  const params = new URLSearchParams();
  if (state.metric) params.set("metric", state.metric);
  if (state.q) params.set("q", state.q);
  if (state.service) params.set("service", state.service);
  if (state.groupBy) params.set("groupBy", state.groupBy);
  if (state.from !== undefined && state.to !== undefined) {
    params.set("from", String(Math.round(state.from)));
    params.set("to", String(Math.round(state.to)));
  } else if (state.window !== DEFAULT_WINDOW) params.set("window", state.window);
  if (state.stat) params.set("stat", state.stat);
  if (state.chart) params.set("chart", state.chart);
  for (const label of state.hide ?? []) params.append("hide", label);
  for (const label of state.only ?? []) params.append("only", label);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

/** The page's address for a state. */
export function metricsHref(state: Partial<MetricsUrlState>): string {
  return `/metrics${metricsStateToSearch({ window: DEFAULT_WINDOW, ...state })}`;
}

/** Whether the range follows the clock (a preset window) rather than being fixed. */
export function isLiveWindow(state: MetricsUrlState): boolean {
  return state.from === undefined || state.to === undefined;
}

/** The range to ask for, in unix ms: a preset ends now. */
export function queryRange(state: MetricsUrlState, nowMs: number): { since: number; until: number } {
  if (state.from !== undefined && state.to !== undefined) return { since: state.from, until: state.to };
  return { since: nowMs - PRESET_MS[state.window], until: nowMs };
}

/**
 * The query string of `GET /api/metrics/:name` for a state: a preset window as itself (the server ends it
 * at its own now), so the request follows from the page's address alone and the server names it in the
 * page's HTML for the browser to fetch while the app loads (`src/server/page-preload.ts`, which must
 * build the same string: a test holds them together). Another statistic is another request.
 */
export function metricQuerySearch(state: MetricsUrlState): string {
  const params = isLiveWindow(state)
    ? new URLSearchParams({ window: state.window })
    : new URLSearchParams({ since: String(Math.round(state.from ?? 0)), until: String(Math.round(state.to ?? 0)) });
  if (state.service) params.set("service", state.service);
  if (state.groupBy) params.set("groupBy", state.groupBy);
  if (state.chart) params.set("chart", state.chart);
  // A distribution of several groups is then answered with the one statistic it draws per group.
  params.set("stat", distributionStat(state.stat));
  return `?${params.toString()}`;
}

/** A `<input type="datetime-local">` value (local time, minutes) ⇄ unix ms. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) return null;
  const ms = new Date(text).getTime();
  return Number.isFinite(ms) ? ms : null;
}
