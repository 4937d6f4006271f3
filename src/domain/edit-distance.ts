/**
 * How far a mistyped name is from a known one, for "did you mean …?": the fewest edits (insert, delete
 * or replace a character, or swap two neighbours, the commonest typing slip) that turn `a` into `b`. Each
 * character is edited at most once (the optimal string alignment distance). Pure; names are short.
 */
export function editDistance(a: string, b: string): number {
  // Three rows of the table: the one being filled, and the two above it (a swap looks two rows up).
  let twoAbove: number[] = [];
  let above = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (twoAbove[j - 2] as number) + 1);
      }
      row[j] = best;
    }
    twoAbove = above;
    above = row;
  }
  return above[b.length] as number;
}
