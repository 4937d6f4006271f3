/** The trace page's bits of URL state: `?span=<spanId>`, `?highlight=`, `?zoom=` and where Escape should lead. */
import { entriesBehind } from "../../lib/history-entries";
import { replaceSearchParam } from "../../lib/url";

/** The history state of an entry pushed by zooming in: the entry before it is the same trace, whole. */
const ZOOM_STEP = "zoomStep";
/** That of an entry pushed by following a link to another span of the trace. */
const SPAN_STEP = "spanStep";
/** How many entries of this trace the page pushed, up to and including this one. */
const STEP_DEPTH = "traceSteps";
/** Which steps those were, oldest first: "z" a zoom, "s" a followed link ("sz": a link, then a zoom). */
const STEP_PATH = "traceStepPath";

export function readSpanParam(): string | null {
  const value = new URLSearchParams(location.search).get("span");
  return value ? value.toLowerCase() : null;
}

/**
 * Replaces (never pushes) the entry, so Back still leads to the page before the trace: moving
 * through the waterfall (a click on a row, j / k, e / E, a search step) is not a step of its own.
 */
export function writeSpanParam(spanId: string | null): void {
  replaceSearchParam("span", spanId);
}

/**
 * The history state of an entry the trace page pushed: a zoom into the whole trace or a link followed
 * to another span of it; `depth` counts such entries up to and including this one, so leaving the
 * trace knows how many to step over, and `path` says which each was (see STEP_PATH; null on an entry
 * pushed before that was recorded).
 */
interface TraceStep {
  kind: "zoom" | "span";
  depth: number;
  path: string | null;
}

/** The step an entry's history state records; null for the entry the trace page opened on. */
export function traceStepOf(state: unknown): TraceStep | null {
  if (typeof state !== "object" || state === null) return null;
  const record = state as Record<string, unknown>;
  const depth = typeof record[STEP_DEPTH] === "number" ? record[STEP_DEPTH] : 1;
  const path = typeof record[STEP_PATH] === "string" ? record[STEP_PATH] : null;
  if (record[ZOOM_STEP] === true) return { kind: "zoom", depth, path };
  if (record[SPAN_STEP] === true) return { kind: "span", depth, path };
  return null;
}

/**
 * The step Back or Forward undid or redid between two entries of the trace page (the history states
 * of the one left and the one landed on): "span" when a followed link is among the steps between
 * them (a jump may cross several: a long press on Back), else that of the later of the two. Back out
 * of a followed link selects the span the entry landed on names; Back out of a zoom keeps the span
 * selected since.
 */
export function stepBetween(left: unknown, landed: unknown): TraceStep["kind"] | null {
  const from = traceStepOf(left);
  const to = traceStepOf(landed);
  const [earlier, later] = (from?.depth ?? 0) > (to?.depth ?? 0) ? [to, from] : [from, to];
  if (later === null) return null;
  // History is one line: the later entry's path holds the earlier one's, and then the steps crossed.
  const crossed = later.path?.slice(earlier?.depth ?? 0) ?? "";
  return crossed.includes("s") ? "span" : later.kind;
}

function pushStep(kind: TraceStep["kind"], name: string, value: string): void {
  const url = new URL(location.href);
  url.searchParams.set(name, value);
  const previous = traceStepOf(history.state);
  const state: Record<string, unknown> = {
    [kind === "zoom" ? ZOOM_STEP : SPAN_STEP]: true,
    [STEP_DEPTH]: (previous?.depth ?? 0) + 1,
  };
  // An entry pushed before paths were recorded leaves the steps before this one unknown.
  const path = previous === null ? "" : previous.path;
  if (path !== null) state[STEP_PATH] = `${path}${kind === "zoom" ? "z" : "s"}`;
  history.pushState(state, "", `${url.pathname}${url.search}${url.hash}`);
}

/**
 * Following a link to another span of this trace (a span link, the parent id, where the failure
 * started) is a step Back undoes: one pushed entry, as following a link to a page would be.
 */
export function pushSpanParam(spanId: string): void {
  pushStep("span", "span", spanId);
}

/** `?highlight=critical|self`: what the waterfall highlights, so a shared link shows the same. */
export function readHighlightParam(): "critical" | "self" | null {
  const value = new URLSearchParams(location.search).get("highlight");
  return value === "critical" || value === "self" ? value : null;
}

export function writeHighlightParam(highlight: "critical" | "self" | null): void {
  replaceSearchParam("highlight", highlight);
}

export function readZoomText(): string | null {
  return new URLSearchParams(location.search).get("zoom");
}

/** True on the entry zooming in pushed (it stays one across a reload). */
export function isZoomStep(): boolean {
  return traceStepOf(history.state)?.kind === "zoom";
}

/**
 * `?zoom=`: zooming into the whole trace is a step Back undoes (one pushed entry); zooming further or
 * panning replaces it; the whole trace again leaves the step (back to the entry before it), or, on a
 * page opened zoomed, drops the parameter.
 */
export function writeZoomText(text: string | null, wasZoomed: boolean): void {
  if (text !== null && wasZoomed) replaceSearchParam("zoom", text);
  else if (text !== null) pushStep("zoom", "zoom", text);
  else if (isZoomStep()) history.back();
  else replaceSearchParam("zoom", null);
}

/** How far back through other trace pages history may go to find the list. */
const MAX_STEPS_BACK = 20;

/** The page names the back link says, by a path's first segment (the nav's names). */
const PAGE_NAMES: Readonly<Record<string, string>> = {
  "": "Traces",
  logs: "Logs",
  errors: "Errors",
  services: "Services",
  map: "Map",
  llm: "LLM",
  metrics: "Metrics",
  snapshots: "Snapshots",
  compare: "Compare",
  setup: "Set up",
};

/** The name of the page at `pathname`, as the nav says it ("/logs" → "Logs"); the trace list's for anything else. */
export function pageNameOf(pathname: string): string {
  return PAGE_NAMES[pathname.split("/")[1] ?? ""] ?? "Traces";
}

/**
 * Where leaving a trace page leads: `steps` back through history to the page the trace was opened
 * from (the trace list, Logs, Errors, the LLM page, the map…), so it comes back with its filters, or,
 * with 0 steps, to the trace list. `href` and `page` are that page's address and name, for the back
 * link to say where it goes ("← Logs" when the trace was opened from a log record); `page` is null
 * when the browser does not say which page is there (no Navigation API).
 */
export interface BackTarget {
  steps: number;
  href: string;
  page: string | null;
}

/**
 * Only other trace pages may lie between (a double push, or links followed from trace to trace).
 * Uses the Navigation API where the browser has it; otherwise trusts that the trace page was reached
 * by an in-app link (`wasPush`) and goes one step back.
 */
export function backTarget(wasPush: boolean): BackTarget {
  const toList: BackTarget = { steps: 0, href: "/", page: "Traces" };
  const behind = entriesBehind(MAX_STEPS_BACK);
  if (behind === null) {
    // A zoom or a followed link is a step further on each (see writeZoomText and pushSpanParam).
    const steps = 1 + (traceStepOf(history.state)?.depth ?? 0);
    return wasPush && history.length > 1 ? { steps, href: "/", page: null } : toList;
  }
  for (const [at, entry] of behind.entries()) {
    if (entry === null) return toList;
    const { pathname, search } = entry;
    if (!pathname.startsWith("/traces/"))
      return { steps: at + 1, href: `${pathname}${search}`, page: pageNameOf(pathname) };
  }
  return toList;
}
