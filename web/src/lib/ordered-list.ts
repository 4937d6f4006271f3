/**
 * Items kept in one order (a live list's, e.g. newest first) and found by id, updated in place as
 * new versions of them arrive. Pure, so the lists built on it are tested without a browser.
 */
export class OrderedList<T> {
  private items: T[] = [];
  private byId = new Map<string, T>();

  constructor(
    private readonly idOf: (item: T) => string,
    /** The list's order; 0 only for two versions of the same item at the same place. */
    private readonly compare: (a: T, b: T) => number,
  ) {}

  get list(): readonly T[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  indexOf(id: string): number {
    const item = this.byId.get(id);
    return item === undefined ? -1 : this.position(item);
  }

  /** Adds or replaces an item, keeping the order; says which it was. */
  upsert(item: T): "added" | "updated" {
    const id = this.idOf(item);
    const old = this.byId.get(id);
    if (old !== undefined) {
      const index = this.position(old);
      if (this.compare(old, item) === 0) {
        this.items[index] = item;
        this.byId.set(id, item);
        return "updated";
      }
      this.items.splice(index, 1);
    }
    this.items.splice(this.insertionPoint(item), 0, item);
    this.byId.set(id, item);
    return old === undefined ? "added" : "updated";
  }

  remove(id: string): boolean {
    const old = this.byId.get(id);
    if (old === undefined) return false;
    this.items.splice(this.position(old), 1);
    this.byId.delete(id);
    return true;
  }

  /** Keeps the first `max` items; returns how many were dropped from the end. */
  trimTo(max: number): number {
    if (this.items.length <= max) return 0;
    const dropped = this.items.splice(max);
    for (const item of dropped) this.byId.delete(this.idOf(item));
    return dropped.length;
  }

  clear(): void {
    this.items = [];
    this.byId.clear();
  }

  /** Index of an item that is in the list (binary search on the order). */
  private position(item: T): number {
    const id = this.idOf(item);
    const at = this.insertionPoint(item);
    const found = this.items[at];
    if (found !== undefined && this.idOf(found) === id) return at;
    // Not found by order (should not happen): fall back to a scan rather than corrupt the list.
    return this.items.findIndex((other) => this.idOf(other) === id);
  }

  private insertionPoint(item: T): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.items[mid] as T, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
