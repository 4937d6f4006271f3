/**
 * A large OTLP/JSON body is never handed to JSON.parse whole: one call on 30 MB holds the event loop
 * for a third of a second and builds every object of the body at once. This scanner walks the bytes
 * first (checking nesting depth and counting what the request holds against the limits before
 * anything is built) and notes where the group lists (`resourceSpans`, `scopeSpans`) and the item
 * lists (`spans`, …) are, so that the decoder can parse each group's own fields and then the items
 * a few hundred at a time (json/groups.ts).
 *
 * The scanner does not check the syntax between tokens: every byte of the body ends up in exactly one
 * piece that JSON.parse reads (a group with its cut lists emptied, or a run of items), so malformed
 * JSON still fails there, as a whole parse would.
 */
import { Buffer } from "node:buffer";
import { count } from "../../domain/count-text.js";
import { OtlpDecodeError } from "../errors.js";
import { type RequestLimits, tooMany } from "../limits.js";
import { parseOtlpJsonText } from "./parse.js";

/** A list value the scanner cut out of its object's text: `[` at `open`, `]` at `close`. */
export interface CutList {
  /** The key it was found under, as written. */
  key: string;
  open: number;
  close: number;
  /** Item lists: [start, end) byte ranges of the elements, flat (commas excluded). */
  ranges: number[];
  /** Group lists: the elements, each with its own cut lists. */
  groups: CutGroup[];
}

/** An object (the body, a resource group, a scope group) whose list fields were cut from its text. */
export interface CutGroup {
  start: number;
  end: number;
  /** Only the last list of each key: JSON.parse keeps the last duplicate too. */
  lists: CutList[];
}

export interface ListNames {
  /** Names of the lists at each level: resource groups, scope groups, items (camelCase and snake_case). */
  levels: readonly (readonly string[])[];
  /** The items, for refusals ("spans"). */
  items: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Bytes scanned between two yields. */
const BYTES_PER_STEP = 128 * 1024;

/**
 * Scans `bytes`; the body's root object comes back with its lists cut (null when the body is not an
 * object). Yields every 128 KB; throws OtlpDecodeError past the depth limit, OtlpLimitError past a
 * count limit.
 */
export function* scanRequest(
  bytes: Uint8Array,
  names: ListNames,
  limits: RequestLimits,
): Generator<void, CutGroup | null, void> {
  const maxDepth = limits.maxJsonDepth;
  // Per depth: 1 object, 2 array; the role on the cut path (0: none); for objects, whether a key comes
  // next and which list level the current key names (-1: none).
  const kind = new Uint8Array(maxDepth + 2);
  const onPath = new Uint8Array(maxDepth + 2);
  const expectKey = new Uint8Array(maxDepth + 2);
  const keyLevel = new Int8Array(maxDepth + 2);
  const keyText: string[] = [];
  const groupAt: (CutGroup | null)[] = [];
  const listAt: (CutList | null)[] = [];
  const elementStart = new Int32Array(maxDepth + 2).fill(-1);
  // The path: root object (depth 1), resource list (2), resource group (3), scope list (4), scope
  // group (5), item list (6). Lists sit at even depths, groups at odd ones.
  let root: CutGroup | null = null;
  let depth = 0;
  let containers = 0;
  let resourceGroups = 0;
  let scopeGroups = 0;
  let items = 0;
  let nextYield = BYTES_PER_STEP;
  const length = bytes.length;
  // A byte order mark before the body is no part of it, as for a body parsed whole (TextDecoder drops it).
  const bodyStart = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let i = bodyStart;

  /** A value starts at `at` inside the container at `depth`: an element of a cut list begins. */
  const valueStarts = (at: number) => {
    if (depth > 0 && onPath[depth] === 1 && kind[depth] === 2 && elementStart[depth] === -1) elementStart[depth] = at;
  };
  /** The element of the cut list at `depth` ends at `at` (a comma or the closing bracket). */
  const elementEnds = (at: number) => {
    const start = elementStart[depth] as number;
    if (start === -1) return;
    elementStart[depth] = -1;
    const list = listAt[depth] as CutList;
    if (depth === 6) {
      if (++items > limits.maxItems) throw tooMany(names.items, limits.maxItems);
      list.ranges.push(start, at);
    } else if (list.groups.length === 0 || (list.groups[list.groups.length - 1] as CutGroup).start !== start) {
      // An element that is not an object (no group opened for it): parsed as is, and refused there.
      list.groups.push({ start, end: at, lists: [] });
    } else {
      (list.groups[list.groups.length - 1] as CutGroup).end = at;
    }
  };

  while (i < length) {
    if (i >= nextYield) {
      nextYield = i + BYTES_PER_STEP;
      yield;
    }
    const c = bytes[i] as number;
    if (c === QUOTE) {
      const end = stringEnd(bytes, i);
      if (depth > 0 && kind[depth] === 1 && expectKey[depth] === 1) {
        if (onPath[depth] === 1 && depth < 6) {
          const level = (depth - 1) / 2;
          const key = Buffer.from(bytes.buffer, bytes.byteOffset + i + 1, end - i - 1).toString("latin1");
          keyLevel[depth] = names.levels[level]?.includes(key) === true ? level : -1;
          keyText[depth] = key;
        }
      } else {
        valueStarts(i);
      }
      i = end + 1;
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      valueStarts(i);
      if (++containers > limits.maxValues) {
        throw tooMany("JSON objects and arrays", limits.maxValues);
      }
      const parent = depth;
      if (++depth > maxDepth) throw new OtlpDecodeError(`JSON nested deeper than ${maxDepth} levels`);
      const isObject = c === OPEN_OBJECT;
      kind[depth] = isObject ? 1 : 2;
      expectKey[depth] = isObject ? 1 : 0;
      keyLevel[depth] = -1;
      elementStart[depth] = -1;
      onPath[depth] = 0;
      if (parent === 0) {
        // The root's text is the whole body: bytes around the object fail its parse, as they would.
        if (isObject && root === null) {
          root = { start: bodyStart, end: length, lists: [] };
          groupAt[depth] = root;
          onPath[depth] = 1;
        }
      } else if (onPath[parent] === 1 && depth <= 6) {
        if (!isObject && kind[parent] === 1 && keyLevel[parent] !== -1) {
          // A list under one of the level's names: cut it (a later duplicate key replaces it).
          const list: CutList = { key: keyText[parent] as string, open: i, close: -1, ranges: [], groups: [] };
          const group = groupAt[parent] as CutGroup;
          const same = group.lists.findIndex((l) => l.key === list.key);
          if (same === -1) group.lists.push(list);
          else group.lists[same] = list;
          listAt[depth] = list;
          onPath[depth] = 1;
        } else if (isObject && kind[parent] === 2 && depth < 6) {
          const group: CutGroup = { start: i, end: -1, lists: [] };
          (listAt[parent] as CutList).groups.push(group);
          groupAt[depth] = group;
          onPath[depth] = 1;
          if (depth === 3 && ++resourceGroups > limits.maxGroups) {
            throw tooMany("resource groups", limits.maxGroups);
          }
          if (depth === 5 && ++scopeGroups > limits.maxGroups) {
            throw tooMany("scope groups", limits.maxGroups);
          }
        }
      }
      i++;
      continue;
    }
    if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth === 0 || kind[depth] !== (c === CLOSE_OBJECT ? 1 : 2)) {
        throw new OtlpDecodeError(
          `body is not valid JSON (unexpected "${String.fromCharCode(c)}" at byte ${count(i)})`,
        );
      }
      // A group's end is settled by the comma or bracket after it (elementEnds), the root's is the body's.
      if (onPath[depth] === 1 && kind[depth] === 2) {
        elementEnds(i);
        (listAt[depth] as CutList).close = i;
      }
      depth--;
      i++;
      continue;
    }
    if (c === COMMA) {
      if (depth > 0) {
        if (kind[depth] === 1) expectKey[depth] = 1;
        else if (onPath[depth] === 1) elementEnds(i);
      }
      i++;
      continue;
    }
    if (c === COLON) {
      if (depth > 0 && kind[depth] === 1) expectKey[depth] = 0;
      i++;
      continue;
    }
    if (c > 0x20) valueStarts(i);
    i++;
  }
  if (depth !== 0) throw new OtlpDecodeError("body is not valid JSON (it ends inside an object or array)");
  return root;
}

/** Index of the quote closing the string that opens at `start`. */
function stringEnd(bytes: Uint8Array, start: number): number {
  let at = start;
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1);
    if (at === -1) throw new OtlpDecodeError("body is not valid JSON (a string is not closed)");
    let backslashes = 0;
    for (let k = at - 1; bytes[k] === BACKSLASH; k--) backslashes++;
    if ((backslashes & 1) === 0) return at;
  }
}

/** The text of `bytes` from `start` to `end`. */
export function textOf(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8", start, end);
}

/** Parses a cut group: its own fields, with each cut list read as `[]`. */
export function parseCutGroup(bytes: Uint8Array, group: CutGroup): unknown {
  const parts: string[] = [];
  let from = group.start;
  const lists = [...group.lists].sort((a, b) => a.open - b.open);
  for (const list of lists) {
    parts.push(textOf(bytes, from, list.open + 1));
    from = list.close;
  }
  parts.push(textOf(bytes, from, group.end));
  return parseOtlpJsonText(parts.join(""));
}

/** Parses items `first` to `last` (exclusive) of a cut item list. */
export function parseCutItems(bytes: Uint8Array, list: CutList, first: number, last: number): unknown[] {
  if (first >= last) return [];
  const start = list.ranges[first * 2] as number;
  const end = list.ranges[last * 2 - 1] as number;
  return parseOtlpJsonText(`[${textOf(bytes, start, end)}]`) as unknown[];
}
