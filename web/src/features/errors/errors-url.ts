/**
 * The Errors page's URL state: `?service=…&window=1h&sort=count`, and where the reader is: the open
 * group (`?group=`) and the keyboard's row (`?selected=`).
 */
import { readWindowKey } from "../../components/TimeWindowSelect";
import { withParam } from "../../lib/url";
import type { ErrorKeyRow } from "./errors-model";

export type ErrorSort = "lastSeen" | "count";

export interface ErrorFilters {
  service?: string | undefined;
  window: string;
  sort: ErrorSort;
  /** Only the groups where errors start, not those that passed an error from below along. */
  starts: boolean;
}

/** Where the reader is, as the address keeps it: the open group and `selectedParam`'s row. */
export interface ErrorPlace {
  group: string | null;
  selected: string | null;
}

export function readErrorFilters(query: Record<string, string | undefined>): ErrorFilters {
  return {
    window: readWindowKey(query.window),
    sort: query.sort === "count" ? "count" : "lastSeen",
    starts: query.starts === "1",
    ...(query.service ? { service: query.service } : {}),
  };
}

export function errorsSearch(filters: ErrorFilters, place: ErrorPlace = { group: null, selected: null }): string {
  const params = new URLSearchParams();
  if (filters.service) params.set("service", filters.service);
  if (filters.window !== "all") params.set("window", filters.window);
  if (filters.sort !== "lastSeen") params.set("sort", filters.sort);
  if (filters.starts) params.set("starts", "1");
  const text = params.toString();
  return withParam(withParam(text === "" ? "" : `?${text}`, "group", place.group), "selected", place.selected);
}

/**
 * The keyboard's row as `?selected=` keeps it: a group's id, or the trace id of one of the open
 * group's newest traces (its group is `?group=`); nothing for the open group's own line, which
 * `?group=` already names, or for no row.
 */
export function selectedParam(row: ErrorKeyRow | null, open: string | null): string | null {
  if (row === null || row.groupId !== open) return row?.groupId ?? null;
  return row.traceId;
}

/**
 * The row an address's `?selected=` names among `rows` (see selectedParam): without one, the open
 * group's line; when it names nothing listed (a trace no longer among the newest), the open group's.
 */
export function linkedKeyRow(
  rows: readonly ErrorKeyRow[],
  selected: string | null,
  open: string | null,
): ErrorKeyRow | null {
  const found =
    selected === null
      ? undefined
      : rows.find((row) => (row.traceId === null ? row.groupId === selected : row.traceId === selected));
  if (found !== undefined) return found;
  if (open !== null) return { groupId: open, traceId: null };
  return selected === null ? null : { groupId: selected, traceId: null };
}
