/** A source of uniform numbers in [0, 1); Math.random by default, a seeded one in tests. */
export type RandomSource = () => number;

/** The few shapes of randomness the scenarios need, over one source. */
export interface Random {
  /** true with probability p. */
  chance(p: number): boolean;
  /** A whole number from min to max, both included. */
  int(min: number, max: number): number;
  /** A number from min (included) to max (excluded). */
  between(min: number, max: number): number;
  /**
   * A latency in ms around `typical`, skewed right like real ones: most calls are near it, a few take
   * several times as long.
   */
  latency(typical: number): number;
  pick<T>(items: readonly T[]): T;
  /** An item chosen with probability proportional to its weight. */
  weighted<T>(items: readonly { item: T; weight: number }[]): T;
  shuffle<T>(items: readonly T[]): T[];
  /** `length` lower-case hex digits. */
  hex(length: number): string;
}

export function createRandom(source: RandomSource = Math.random): Random {
  const between = (min: number, max: number) => min + source() * (max - min);
  const int = (min: number, max: number) => Math.floor(between(min, max + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(source() * items.length)];
    if (item === undefined) throw new Error("pick needs at least one item");
    return item;
  };
  return {
    chance: (p) => source() < p,
    int,
    between,
    latency: (typical) => {
      // Log-normal with sigma 0.5: the median is `typical`, p99 about 3.2 times it.
      const u1 = Math.max(source(), Number.EPSILON);
      const gaussian = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * source());
      return typical * Math.exp(0.5 * gaussian);
    },
    pick,
    weighted: (items) => {
      const total = items.reduce((sum, entry) => sum + entry.weight, 0);
      let roll = source() * total;
      for (const entry of items) {
        roll -= entry.weight;
        if (roll < 0) return entry.item;
      }
      return pick(items).item;
    },
    shuffle: (items) => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(source() * (i + 1));
        [copy[i], copy[j]] = [copy[j] as (typeof copy)[number], copy[i] as (typeof copy)[number]];
      }
      return copy;
    },
    hex: (length) => {
      let out = "";
      for (let i = 0; i < length; i++) out += Math.floor(source() * 16).toString(16);
      return out;
    },
  };
}
