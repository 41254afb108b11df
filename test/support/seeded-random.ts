/**
 * A small seeded random number generator (mulberry32): the same seed gives the same sequence, so a
 * fault test that prints its seed can be run again with it (`ASSENT_*_SEED=1234`).
 */
export interface SeededRandom {
  readonly seed: number;
  /** A number in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** One of `items`. */
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { seed, next, int, pick: (items) => items[int(0, items.length - 1)] as (typeof items)[number] };
}

/** The seed in `variable` when it is set (to replay a run), else a fresh one. */
export function seedFrom(variable: string): number {
  const given = process.env[variable];
  if (given === undefined || given === '') return Math.floor(Math.random() * 1_000_000);
  const seed = Number(given);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`${variable}=${given} is not a seed: use a whole number, such as the one a previous run printed.`);
  return seed;
}
