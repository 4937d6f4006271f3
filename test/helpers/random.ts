/** A repeatable pseudo-random number in [0, 1) per call (a linear congruential generator). */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** What retention takes in round `round` of a test: a few of `ids`, or most of them every fourth round. */
export function evictedInRound(ids: string[], round: number, random: () => number): string[] {
  return round % 4 === 3 ? ids.slice(0, Math.floor(ids.length * 0.7)) : ids.filter(() => random() < 0.05);
}
