/*
 * What the direct reader (direct-traces.ts) and the transcoder (transcode-traces.ts) share in their
 * memo of a request's attributes: the spans of a request mostly carry the same attributes in the same
 * order, so each remembers, index by index, the JSON bytes of the attribute the last list held there.
 */

/** Attributes remembered per list (MAX_ATTRIBUTES_PER_LIST bounds a list; the first ones are the usual ones). */
export const MEMO_SLOTS = 64;
/** Attributes longer than this (in JSON) are not remembered: rarely the same twice, and costly to compare. */
export const MAX_MEMO_BYTES = 1024;
/**
 * The most lists an index that did not hold its attribute again is read without its memo: one that
 * differs from list to list (an id, a URL) costs a comparison and a copy at about 1 list in 64.
 */
const MAX_MEMO_WAIT = 63;

/** A slot's back-off: lists to read without comparing after a miss, and how many the next miss waits. */
export interface MemoBackoff {
  wait: number;
  backoff: number;
}

/** A miss at the slot: the next lists skip it, twice as many (and one) as after the miss before, up to MAX_MEMO_WAIT. */
export function memoMissed(slot: MemoBackoff): void {
  slot.backoff = Math.min(slot.backoff * 2 + 1, MAX_MEMO_WAIT);
  slot.wait = slot.backoff;
}
