/**
 * Where each group of the Errors page's list sits, for a virtualized list of fixed slots (VirtualList's
 * rows): a group's line takes a fixed number of slots (one more with its "passed along from" line, more
 * in a narrow window, where its numbers wrap under it), the open group as many as it measures.
 */
import type { ErrorGroupJson } from "../../../../src/protocol";

/** One slot of the list, in CSS pixels: every group's line is a whole number of them (errors.css). */
export const SLOT_PX = 20;

export interface GroupPlace {
  group: ErrorGroupJson;
  /** Its first slot. */
  first: number;
  /** Slots it takes, its line's and, open, its details'. */
  slots: number;
  /** Slots its own line takes. */
  lineSlots: number;
}

export interface GroupLayout {
  places: GroupPlace[];
  byId: ReadonlyMap<string, GroupPlace>;
  slotCount: number;
  /** For each slot, the place starting there, or -1 inside a place. */
  startsAt: Int32Array;
  /** The most slots one place takes: the list renders that many beyond its edges, so a place is drawn while any of its slots shows. */
  tallest: number;
}

/** Slots a group's own line takes: 60 px, 80 with its "passed along from" line; 40 more in a narrow window. */
export function groupLineSlots(group: ErrorGroupJson, narrow: boolean): number {
  return (group.startedBelow !== null && group.startedBelow.length > 0 ? 4 : 3) + (narrow ? 2 : 0);
}

/** Slots an open group takes before it is measured: its line and room for its details. */
export const OPEN_GUESS_SLOTS = 16;

export function groupLayout(
  groups: readonly ErrorGroupJson[],
  narrow: boolean,
  openId: string | null,
  /** The open group's measured slots (line and details), or null before it is measured. */
  openSlots: number | null,
): GroupLayout {
  const places: GroupPlace[] = [];
  const byId = new Map<string, GroupPlace>();
  let next = 0;
  let tallest = 1;
  for (const group of groups) {
    const lineSlots = groupLineSlots(group, narrow);
    const slots = group.id === openId ? Math.max(lineSlots, openSlots ?? lineSlots + OPEN_GUESS_SLOTS) : lineSlots;
    const place = { group, first: next, slots, lineSlots };
    places.push(place);
    byId.set(group.id, place);
    next += slots;
    tallest = Math.max(tallest, slots);
  }
  const startsAt = new Int32Array(next).fill(-1);
  for (const [i, place] of places.entries()) startsAt[place.first] = i;
  return { places, byId, slotCount: next, startsAt, tallest };
}

/** The scrollTop that brings `top`…`top + height` into view, moving as little as it can (null: it is in view). */
export function scrollTopToShow(scrollTop: number, viewHeight: number, top: number, height: number): number | null {
  if (top < scrollTop) return top;
  if (top + height > scrollTop + viewHeight) return Math.min(top, top + height - viewHeight);
  return null;
}
