/**
 * Gives memory back once ingest has gone quiet. V8 grows its heap by a factor of what was alive
 * after the last collection and only collects when that is reached, and it leaves pages half full of
 * dead objects in place: after a burst of a million spans, the process keeps ~500 MB of heap that
 * holds ~150 MB of live objects, and nothing collects it while nothing allocates. So when the heap
 * has not changed for a few seconds and has grown well past what the last compaction left, this runs
 * one full collection that also compacts every fragmented page, and the pages it frees go back to
 * the system. That collection holds the event loop (~0.7 s at a million stored spans on a slow
 * machine), so it waits for a quiet spell: no request (`touch`) and no collection of any kind for a
 * few seconds (under steady ingest the young generation fills and is collected several times a
 * second), and it runs at most once per growth of the heap.
 *
 * A burst also grows the young generation (to ~33 MB), and V8 gives that room back only at a
 * collection that finds the allocation rate of its last 5 s low: the compaction comes too soon for
 * that, and an idle server collects nothing after it. So once the process has been quiet for longer
 * than that window, a young collection (a few ms) runs, at up to three looks in a row while the room
 * stays (V8 judged the rate over its own window): at 350,000 spans, ~30 MB of RSS back at idle.
 */
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { trySetV8Flag } from "./v8-flags.js";

export interface HeapCompaction {
  /** Something is being served: not a quiet moment for a pause. */
  touch(): void;
  /** Compactions run so far, and the last one's pause (read by tests). */
  readonly runs: number;
  /** Young collections run to give the young generation's room back (read by tests). */
  readonly youngRuns: number;
  readonly lastPauseMs: number;
  /** Whether the heap's growth is bounded now (a large store is held; read by tests). */
  readonly growthBounded: boolean;
  close(): void;
}

export interface HeapCompactionOptions {
  /** How often the heap is looked at (ms). */
  checkMs?: number;
  /** Looks in a row with no collection between them before a compaction. */
  quietChecks?: number;
  /** Growth of the committed heap past what the last compaction left that makes one worth its pause. */
  minGrowthBytes?: number;
  /** Quiet time (ms, counted in looks) before the young generation's room is given back (see the top). */
  youngQuietMs?: number;
  /**
   * Whether the app holds a large store in the heap (the memory store past the default bound): then
   * the heap's growth between full collections is bounded (see boundGrowth).
   */
  largeStore?: () => boolean;
}

/** Room of the young generation above which a quiet spell gives it back (V8's least is ~1 MB). */
const YOUNG_ROOM_BYTES = 4 * 1024 * 1024;

/** Young collections a quiet spell tries, one a look, until V8 gives the room back. */
const YOUNG_TRIES = 3;

/** Memory the young generation holds now. */
function youngRoom(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === "new_space")?.physical_space_size ?? 0;
}

/** The collector: a full collection, or a young one (`type: "minor"`), on request. */
type Collector = (options?: { type: "minor" | "major" }) => void;

/** The heap may grow this much past what a full collection left alive while a large store is held. */
const LARGE_STORE_GROWTH_PERCENT = 40;

/**
 * Bounds the heap's growth between full collections while a large store is held. V8 lets the heap
 * grow to two or more times what the last full collection left alive before it collects again:
 * taking a million spans into the memory store, that slack is the difference between ~390 and ~515
 * MB of RSS. With a large store, the next limit is 40% above what is alive instead; otherwise V8's
 * own factor stays. A bound on every heap made full collections four to five times as frequent at
 * the default 350,000 spans under a busy app's load, and their concurrent marking took the core its
 * senders use. The flag is read when a collection sets the next limit: looked at every `checkMs`,
 * a choice applies from the next full collection.
 */
function boundGrowth(): { apply(large: boolean): void; readonly bounded: boolean } {
  let bounded = false;
  return {
    apply(large) {
      if (large === bounded) return;
      // Flags locked: V8's factor stays.
      if (trySetV8Flag(`--heap-growing-percent=${large ? LARGE_STORE_GROWTH_PERCENT : 0}`)) bounded = large;
    },
    get bounded() {
      return bounded;
    },
  };
}

/** The collector, exposed at run time (a full collection that V8 runs on request), or null where flags are locked. */
function collector(): Collector | null {
  try {
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("gc");
    return typeof gc === "function" ? (gc as Collector) : null;
  } catch {
    return null;
  }
}

/**
 * Turns off V8's allocation-site pretenuring. When objects from one allocation site survive young
 * collections often enough, V8 starts allocating that site's objects straight in the old generation.
 * Decoded spans live a few milliseconds (until their trace is packed) and often trigger that: then
 * every span is born old and dies old, a million spans leave ~600 MB of old-generation garbage, and
 * the heap grows to 2.5 times what it holds before a full collection. Young, they die in the cheap
 * collections. Flags set at run time apply from here on; where they are locked this changes nothing.
 */
function keepNewObjectsYoung(): void {
  trySetV8Flag("--no-allocation-site-pretenuring");
}

/**
 * A young-generation collection on request, for a reader of a large body to free the pieces it has
 * copied out (see server/body.ts). The collector is made at the first call (a new V8 context, a few
 * ms), not at start; where flags are locked, calls do nothing.
 */
export function lazyYoungCollection(): () => void {
  let gc: Collector | null | undefined;
  return () => {
    if (gc === undefined) gc = collector();
    gc?.({ type: "minor" });
  };
}

/** V8's own factor by which a young collection that finds much alive grows the young generation. */
const YOUNG_GROWTH_FACTOR = 2;

/**
 * The young generation's growth factor the process started with: the last
 * `--semi-space-growth-factor=N` among node's own arguments (V8 takes `-` or `--`, and `_` for `-`;
 * NODE_OPTIONS may not carry it), else V8's default. V8 raises a factor below 2 given at start to 2
 * (started with 1, the young generation still grows; set to 1 at run time, it does not).
 */
export function startingYoungGrowthFactor(execArgv: readonly string[]): number {
  let factor = YOUNG_GROWTH_FACTOR;
  for (const arg of execArgv) {
    const match = /^--?semi[-_]space[-_]growth[-_]factor=\s*([+-]?\d+)$/.exec(arg);
    if (match) factor = Math.max(YOUNG_GROWTH_FACTOR, Number(match[1]));
  }
  return factor;
}

/**
 * Holds the young generation at its size while a large export is decoded and stored. Every span of
 * such a request stays alive until it is stored, so each young collection finds its young generation
 * full of live objects, and V8 answers that by doubling it, up to 16 MiB a half: a 30 MB request grew
 * it from ~6 to ~32 MB of RSS, kept until the process has been quiet for seconds (see the top), and
 * each collection then copied up to 16 MB of spans at once, a pause of 15-40 ms for every request
 * waiting. Held at its size, the same objects are copied in smaller collections. V8 reads its growth
 * factor at each growth, so this applies at once; it is set back (to the factor the process started
 * with) once no large export is under way. Where flags are locked, nothing changes.
 */
export function youngGenerationHold(): () => () => void {
  const startingFactor = startingYoungGrowthFactor(process.execArgv);
  let holders = 0;
  // Flags locked: V8's growth stays.
  const growBy = (factor: number) => trySetV8Flag(`--semi-space-growth-factor=${factor}`);
  return () => {
    if (holders++ === 0) growBy(1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--holders === 0) growBy(startingFactor);
    };
  };
}

export function startHeapCompaction(options: HeapCompactionOptions = {}): HeapCompaction {
  keepNewObjectsYoung();
  const checkMs = options.checkMs ?? 1_000;
  const quietChecks = options.quietChecks ?? 3;
  const minGrowth = options.minGrowthBytes ?? 64 * 1024 * 1024;
  const youngQuietMs = options.youngQuietMs ?? 6_000;
  const largeStore = options.largeStore ?? (() => false);
  const growth = boundGrowth();
  // The collector (a new V8 context) and the observer (perf_hooks) are made at the first look, a
  // second after the start: made at once they took ~5 ms of a start on a slow machine.
  let gc: Collector | null = null;
  let observer: { disconnect(): void } | null = null;
  let baseline = getHeapStatistics().total_heap_size;
  let collections = 0;
  let quiet = 0;
  /** Young collections tried this quiet spell, and whether one ran since the last look. */
  let youngTries = 0;
  let youngJustRan = false;
  const state = { runs: 0, lastPauseMs: 0, youngRuns: 0 };

  function watch(): void {
    gc = collector();
    const watching = new PerformanceObserver((list) => {
      collections += list.getEntries().length;
    });
    watching.observe({ entryTypes: ["gc"] });
    observer = watching;
  }

  function compact(): void {
    if (gc === null) return;
    const started = performance.now();
    setFlagsFromString("--compact-on-every-full-gc");
    try {
      gc();
    } finally {
      setFlagsFromString("--no-compact-on-every-full-gc");
    }
    state.runs++;
    state.lastPauseMs = performance.now() - started;
    baseline = getHeapStatistics().total_heap_size;
  }

  let touched = false;
  const timer = setInterval(() => {
    if (observer === null) watch();
    growth.apply(largeStore());
    // A young collection of ours is reported at the next look: no activity, the spell goes on.
    const active = touched || (collections > 0 && !youngJustRan);
    youngJustRan = false;
    if (active) youngTries = 0;
    quiet = active ? 0 : quiet + 1;
    touched = false;
    collections = 0;
    if (quiet >= quietChecks && getHeapStatistics().total_heap_size - baseline >= minGrowth) {
      compact();
      quiet = -1; // the compaction's own collection is reported at the next look
    } else if (
      gc !== null &&
      youngTries < YOUNG_TRIES &&
      quiet * checkMs >= youngQuietMs &&
      youngRoom() > YOUNG_ROOM_BYTES
    ) {
      gc({ type: "minor" });
      youngTries++;
      youngJustRan = true;
      state.youngRuns++;
    }
  }, checkMs);
  timer.unref();

  return {
    touch() {
      touched = true;
    },
    get runs() {
      return state.runs;
    },
    get youngRuns() {
      return state.youngRuns;
    },
    get lastPauseMs() {
      return state.lastPauseMs;
    },
    get growthBounded() {
      return growth.bounded;
    },
    close() {
      clearInterval(timer);
      growth.apply(false);
      observer?.disconnect();
    },
  };
}
