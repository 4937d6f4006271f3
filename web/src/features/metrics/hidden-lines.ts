/**
 * The lines hidden in a chart's legend, kept in the URL by the legend's names of them (`hide=p50`,
 * `hide=route=/health`): readable in a shared link, and the same lines after a refetch or another
 * statistic (a line's key also names its statistic). Pure.
 */
import type { ChartModel } from "./metric-chart-model";

/** The keys of the model's lines that `hide` names (names no line has are passed over). */
export function hiddenKeys(model: ChartModel | null, hide: readonly string[] | undefined): ReadonlySet<string> {
  if (model === null || hide === undefined || hide.length === 0) return new Set();
  const names = new Set(hide);
  return new Set(model.lines.filter((line) => names.has(line.label)).map((line) => line.key));
}

/** What the URL keeps for these hidden keys: the lines' names in legend order; undefined for none. */
export function hideOf(model: ChartModel, keys: ReadonlySet<string>): string[] | undefined {
  const hide = model.lines.filter((line) => keys.has(line.key)).map((line) => line.label);
  return hide.length === 0 ? undefined : hide;
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
