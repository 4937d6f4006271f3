/**
 * The number of `key` in `ids`, numbering a new key next and keeping what `make` builds for it at
 * that index of `values`: how indexes name their services, models, operations and keys by small
 * numbers. `make` runs only for a new key.
 */
export function intern<T>(values: T[], ids: Map<string, number>, key: string, make: (key: string) => T): number {
  let id = ids.get(key);
  if (id === undefined) {
    id = values.length;
    values.push(make(key));
    ids.set(key, id);
  }
  return id;
}

/** For a list of the keys themselves: `intern(names, ids, name, itself)`. */
export const itself = (key: string): string => key;
