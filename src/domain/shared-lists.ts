/**
 * Lists of names met lately, each kept once, frozen: a trace's services (and a quiet trace's
 * operations) are most often a list many traces hold alike, and a list of its own cost a small trace
 * more than its one span did (an array grown by a push or a spread keeps room for 17 names). Forgotten
 * whole when full, as long lists met once would only fill it.
 */
let sharedLists = new Map<string, readonly string[]>();
const SHARED_LISTS = 4_096;

/** The empty list every owner shares. */
export const NO_NAMES: readonly string[] = Object.freeze([]);

/** An equal list, frozen (never to be written): one kept before, or else a copy of `list` of its exact size. */
export function sharedList(list: readonly string[]): readonly string[] {
  if (list.length === 0) return NO_NAMES;
  const key = list.join("\u0000");
  const shared = sharedLists.get(key);
  // Names holding NUL could join alike from different lists: those get a copy of their own.
  if (shared !== undefined && sameNames(shared, list)) return shared;
  const kept = Object.freeze(list.slice());
  if (shared === undefined) {
    if (sharedLists.size >= SHARED_LISTS) sharedLists = new Map();
    sharedLists.set(key, kept);
  }
  return kept;
}

/**
 * The lists sharedListWith gave, by the list they lengthen and the name they add: a trace's services
 * grow a name at a time through the same lists as other traces', and joining the names to find the
 * longer list again cost more than the rest of a span's summary. Forgotten whole when full, as
 * sharedLists are.
 */
let longerLists = new Map<readonly string[], Map<string, readonly string[]>>();
let longerListCount = 0;

/** sharedList of `list` followed by `name`, where `list` is one sharedList gave (or NO_NAMES): frozen, so it never changes. */
export function sharedListWith(list: readonly string[], name: string): readonly string[] {
  let byName = longerLists.get(list);
  const known = byName?.get(name);
  if (known !== undefined) return known;
  const longer = sharedList([...list, name]);
  if (!Object.isFrozen(list)) return longer;
  if (longerListCount >= SHARED_LISTS) {
    longerLists = new Map();
    longerListCount = 0;
    byName = undefined;
  }
  if (byName === undefined) {
    byName = new Map();
    longerLists.set(list, byName);
  }
  byName.set(name, longer);
  longerListCount++;
  return longer;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
