/** Nearest-rank percentile of an ascending array; 0 for an empty one. */
export function percentile(sortedAscending: ArrayLike<number>, p: number): number {
  if (sortedAscending.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sortedAscending.length) - 1;
  return sortedAscending[Math.min(Math.max(rank, 0), sortedAscending.length - 1)] as number;
}

/**
 * Nearest-rank percentiles of unsorted values, as `percentile` would give over them sorted, in
 * linear time: the array is partly reordered in place (quickselect). 0s for an empty array.
 */
export function selectPercentiles(values: Float64Array, ps: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return ps.map(() => 0);
  return ps.map((p) => selectRank(values, nearestRank(p, n)));
}

/** The 0-based position of the nearest-rank `p`th percentile among `n` sorted values. */
export function nearestRank(p: number, n: number): number {
  return Math.min(Math.max(Math.ceil((p / 100) * n) - 1, 0), n - 1);
}

/**
 * The value that would sit at `k` were `a` sorted, reordering `a` in place (Hoare's selection,
 * median-of-three pivots).
 */
export function selectRank(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo] as number;
    const y = a[mid] as number;
    const z = a[hi] as number;
    // The median of the three.
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] as number;
  }
  return a[k] as number;
}
