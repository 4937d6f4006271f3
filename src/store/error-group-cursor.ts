import { AppError } from "../domain/errors.js";

/** What the Errors page orders groups by: their newest error first, or most errors first. */
export type ErrorGroupSort = "lastSeen" | "count";

/**
 * A group's place in an order of groups: its newest error's time, its count and its id (the last tie
 * breaker). Both orders read all three, in their own precedence.
 */
export interface ErrorGroupPosition {
  lastSeenUnixNano: bigint;
  count: number;
  id: string;
}

/** `<sort>:<last seen>_<count>_<id>`: a cursor names its order, so it is never read in another. */
export function encodeErrorGroupCursor(sort: ErrorGroupSort, position: ErrorGroupPosition): string {
  return `${sort}:${position.lastSeenUnixNano}_${position.count}_${position.id}`;
}

export function decodeErrorGroupCursor(raw: string, sort: ErrorGroupSort): ErrorGroupPosition {
  const match = /^(lastSeen|count):(\d{1,20})_(\d{1,15})_([0-9a-f]{16})$/.exec(raw);
  if (!match) throw new AppError(400, "invalid_cursor", `cursor "${raw.slice(0, 80)}" is not one this server issued`);
  if (match[1] !== sort) {
    throw new AppError(
      400,
      "invalid_cursor",
      `cursor "${raw.slice(0, 80)}" belongs to sort=${match[1]}, not sort=${sort}`,
    );
  }
  return { lastSeenUnixNano: BigInt(match[2] as string), count: Number(match[3]), id: match[4] as string };
}

/**
 * Negative when `a` comes first in the order: newest error first, then most errors, then id (`lastSeen`);
 * most errors first, then newest error, then id (`count`).
 */
export function compareErrorGroups(sort: ErrorGroupSort, a: ErrorGroupPosition, b: ErrorGroupPosition): number {
  const byLast = a.lastSeenUnixNano > b.lastSeenUnixNano ? -1 : a.lastSeenUnixNano < b.lastSeenUnixNano ? 1 : 0;
  const byCount = b.count - a.count;
  const byId = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return sort === "count" ? byCount || byLast || byId : byLast || byCount || byId;
}
