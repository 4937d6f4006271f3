/**
 * The lines hidden in a chart's legend, kept in the URL by the lines' names (`hide=p50`,
 * `hide=route=/health`), or by the names of the lines still shown (`only=`) when those are fewer:
 * readable in a shared link, and the same lines after a refetch or another statistic (a line's key
 * also names its statistic). Not by the legend's labels: those leave out what the series on the
 * chart share, so they change when a series arrives or the window changes. Pure.
 */
import { type ChartLine, type ChartModel, groupName, OLD_NO_ATTRIBUTES_NAME } from "./metric-chart-model";

/**
 * The most characters the names may take in the URL. A browser sends the whole address with each
 * reload, and a server refuses a request whose head passes its limit (Node's is 16 KiB) with a 431:
 * up to 500 lines named by their attribute lists would pass it. More stays in the page alone.
 */
export const MAX_HIDDEN_URL_CHARS = 4000;

/** The hidden lines as the URL names them: the hidden ones, or only those shown. */
export interface HiddenInUrl {
  hide?: string[];
  only?: string[];
}

/**
 * The names in a URL as this chart's lines are named: links from before the series without
 * attributes was named "no attributes" call it "all", which still means it.
 */
function lineName(name: string): string {
  return name === OLD_NO_ATTRIBUTES_NAME ? groupName("", null) : name;
}

function namesIn(names: readonly string[]): Set<string> {
  return new Set(names.map(lineName));
}

/** Whether the URL's `names` name the line. */
const named = (names: ReadonlySet<string>, line: ChartLine) => names.has(line.name);

/** The keys of the model's lines the URL hides: those `hide` names, or those `only` does not (names no line has are passed over). */
export function hiddenKeys(model: ChartModel | null, url: HiddenInUrl): ReadonlySet<string> {
  if (model === null) return new Set();
  if (url.only !== undefined && url.only.length > 0) {
    const shown = namesIn(url.only);
    return new Set(model.lines.filter((line) => !named(shown, line)).map((line) => line.key));
  }
  if (url.hide === undefined || url.hide.length === 0) return new Set();
  const names = namesIn(url.hide);
  return new Set(model.lines.filter((line) => named(names, line)).map((line) => line.key));
}

/** How many characters the names take in the URL's query. */
function urlChars(param: string, names: readonly string[]): number {
  return names.reduce((sum, name) => sum + param.length + 2 + encodeURIComponent(name).length, 0);
}

/**
 * What the URL keeps for these hidden keys: the hidden lines' names in legend order, or the shown
 * lines' (`only`) when shorter, each followed by the names of `previous` that no line of this chart
 * has; `{}` for none hidden; null when even the shorter passes
 * MAX_HIDDEN_URL_CHARS (the page then keeps them itself).
 */
export function hideOf(model: ChartModel, keys: ReadonlySet<string>, previous: HiddenInUrl = {}): HiddenInUrl | null {
  // Names the URL had that no line of this chart has (a series with no point in this window, a
  // statistic's line named otherwise for now) are kept: the next click must not show them again.
  const names = new Set(model.lines.map((line) => line.name));
  const elsewhere = (kept: readonly string[] | undefined) => (kept ?? []).filter((name) => !names.has(lineName(name)));
  const hide = [
    ...model.lines.filter((line) => keys.has(line.key)).map((line) => line.name),
    ...elsewhere(previous.hide),
  ];
  if (hide.length === 0) return {};
  const only = [
    ...model.lines.filter((line) => !keys.has(line.key)).map((line) => line.name),
    ...elsewhere(previous.only),
  ];
  const hideChars = urlChars("hide", hide);
  const onlyChars = only.length === 0 ? Number.POSITIVE_INFINITY : urlChars("only", only);
  if (Math.min(hideChars, onlyChars) > MAX_HIDDEN_URL_CHARS) return null;
  return onlyChars < hideChars ? { only } : { hide };
}

/** The hidden keys once the line `key` is clicked: hidden when shown, shown when hidden. */
export function toggledKeys(hidden: ReadonlySet<string>, key: string): ReadonlySet<string> {
  const next = new Set(hidden);
  if (!next.delete(key)) next.add(key);
  return next;
}

/** The hidden keys once the line `key` is shown alone (Alt+click, double-click); none when it already was. */
export function soloKeys(model: ChartModel, hidden: ReadonlySet<string>, key: string): ReadonlySet<string> {
  const others = model.lines.filter((line) => line.key !== key).map((line) => line.key);
  const alone = !hidden.has(key) && others.every((other) => hidden.has(other));
  return alone ? new Set() : new Set(others);
}
