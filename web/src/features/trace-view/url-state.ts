/** The trace page's bits of URL state: `?span=<spanId>`, `?highlight=`, `?zoom=` and where Escape should lead. */
import { entriesBehind } from "../../lib/history-entries";
import { replaceSearchParam } from "../../lib/url";

export function readSpanParam(): string | null {
  const value = new URLSearchParams(location.search).get("span");
  return value ? value.toLowerCase() : null;
}

/** Replaces (never pushes) the entry, so Back still leads to the page before the trace. */
export function writeSpanParam(spanId: string | null): void {
  replaceSearchParam("span", spanId);
}

/** `?highlight=critical|self`: what the waterfall highlights, so a shared link shows the same. */
export function readHighlightParam(): "critical" | "self" | null {
  const value = new URLSearchParams(location.search).get("highlight");
  return value === "critical" || value === "self" ? value : null;
}

export function writeHighlightParam(highlight: "critical" | "self" | null): void {
  replaceSearchParam("highlight", highlight);
}

/** The history state of an entry pushed by zooming in: the entry before it is the same trace, whole. */
const ZOOM_STEP = "zoomStep";

export function readZoomText(): string | null {
  return new URLSearchParams(location.search).get("zoom");
}

/** True on the entry zooming in pushed (it stays one across a reload). */
export function isZoomStep(): boolean {
  const state: unknown = history.state;
  return typeof state === "object" && state !== null && (state as Record<string, unknown>)[ZOOM_STEP] === true;
}

/**
 * `?zoom=`: zooming into the whole trace is a step Back undoes (one pushed entry); zooming further or
 * panning replaces it; the whole trace again leaves the step (back to the entry before it), or, on a
 * page opened zoomed, drops the parameter.
 */
export function writeZoomText(text: string | null, wasZoomed: boolean): void {
  if (text !== null && wasZoomed) replaceSearchParam("zoom", text);
  else if (text !== null) {
    const url = new URL(location.href);
    url.searchParams.set("zoom", text);
    history.pushState({ [ZOOM_STEP]: true }, "", `${url.pathname}${url.search}${url.hash}`);
  } else if (isZoomStep()) history.back();
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
    // A zoomed trace is one step further on (see writeZoomText).
    return wasPush && history.length > 1 ? { steps: isZoomStep() ? 2 : 1, href: "/", page: null } : toList;
  }
  for (const [at, entry] of behind.entries()) {
    if (entry === null) return toList;
    const { pathname, search } = entry;
    if (!pathname.startsWith("/traces/"))
      return { steps: at + 1, href: `${pathname}${search}`, page: pageNameOf(pathname) };
  }
  return toList;
}
