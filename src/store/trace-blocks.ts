import { fmix32 } from "../domain/hash.js";
import type { SortedChunks } from "./sorted-chunks.js";

/**
 * Notes over blocks of traces (the chunks of the start order, 256 to 512 traces each), so a query
 * that few traces match passes over a whole block after one look instead of reading every trace in
 * it: at 1M spans the walk over 100k trace entries was most of a rare query's time, whatever each
 * trace's own test cost.
 *
 * A block's note holds bounds of its traces' summaries (the union of their services, their errors,
 * the longest duration) and, once a query with `key=value` tokens or free text needs it, a Bloom
 * filter over every token of every trace (see trace-blooms.ts), sized to the block's distinct tokens,
 * and the block's distinct pieces of search text (see domain/search.ts): values repeat, so a block of
 * a few thousand spans has far fewer distinct pieces, and one substring search over them answers for
 * every span of the block. All only
 * ever describe a superset of the block, so they never rule out a trace that matches: SortedChunks
 * drops a note when a trace joins its block or changes (a store `touch`es it), and keeps it when
 * traces leave. A note may then be shared by the two halves of a split block, so it is never changed
 * in place: a block gets a new note instead.
 */
export interface BlockNote {
  /** Null in a mark that a walk passed the block, unchanged since (see createBlockGate). */
  readonly bounds: TraceBounds | null;
  /** When the walk that left the mark passed the block (performance.now() or the gate's clock). */
  readonly passedAt?: number;
  /** Built by the first query with tokens that needs it. */
  readonly filter: BlockFilter | null;
  /** A filter being built over several calls; only ever grows, so halves of a split block may share it. */
  readonly building?: BlockBuild;
}

/** A block that changed lately gets its note once a walk finds it unchanged this long after another passed it. */
const PASSED_MS = 1000;

interface BlockBuild {
  readonly tokens: Set<number>;
  /** Pieces of search text as the spans hold them; lower-cased once each when the build ends. */
  readonly pieces: Set<string>;
  /** The traces whose tokens are in. */
  readonly done: Set<unknown>;
}

/** While building a block's filter, the clock is read once per this many traces. */
const CLOCK_EVERY_TRACES = 8;

/** What a query's summary test reads (see CompiledSpanQuery.mayMatchTrace). */
export interface TraceBounds {
  readonly services: readonly string[];
  readonly errorCount: number;
  readonly durationMs: number;
}

export interface BlockFilter {
  readonly bits: Uint32Array;
  /** How many bits it has: a multiple of 32, not a power of two, so it takes no more than it needs. */
  readonly size: number;
  /**
   * The block's distinct pieces of search text, lower-cased, joined by "\n"; null when they pass
   * MAX_BLOCK_TEXT characters (long unique values: logs, stack traces), and the block is walked.
   */
  readonly text: string | null;
}

/** A copy of text this long per block (2 MB at most) is worth a pass over the block's spans saved. */
const MAX_BLOCK_TEXT = 1 << 20;

/**
 * One thing a block must hold for a trace of it to match: a token (see trace-blooms.ts), or
 * lower-cased text without a line break that is in a piece of some span's search text.
 */
export type BlockNeed = number | string;

/** ~1.2% of blocks without a token get past its filter (four probes, 10 bits a token). */
const BITS_PER_TOKEN = 10;
const PROBES = 4;
const MIN_BITS = 64;

/** The bits a token sets: double hashing, each 32-bit probe scaled onto [0, size). */
function probe(a: number, b: number, i: number, size: number): number {
  return Math.floor((((a + Math.imul(i, b)) >>> 0) * size) / 2 ** 32);
}

export function buildBlockFilter(tokens: ReadonlySet<number>, pieces: Iterable<string> = []): BlockFilter {
  const size = Math.max(MIN_BITS, Math.ceil((tokens.size * BITS_PER_TOKEN) / 32) * 32);
  const bits = new Uint32Array(size / 32);
  for (const token of tokens) {
    const a = fmix32(token); // spread, so probes differ from the trace filters' ones
    const b = fmix32(a) | 1;
    for (let i = 0; i < PROBES; i++) {
      const at = probe(a, b, i, size);
      bits[at >>> 5] = (bits[at >>> 5] as number) | (1 << (at & 31));
    }
  }
  const lower = new Set<string>();
  let length = 0;
  for (const piece of pieces) {
    const text = piece.toLowerCase();
    if (lower.has(text)) continue;
    lower.add(text);
    length += text.length + 1;
    if (length > MAX_BLOCK_TEXT) return { bits, size, text: null };
  }
  return { bits, size, text: [...lower].join("\n") };
}

function filterHas(filter: BlockFilter, token: number): boolean {
  const a = fmix32(token); // spread, so probes differ from the trace filters' ones
  const b = fmix32(a) | 1;
  for (let i = 0; i < PROBES; i++) {
    const at = probe(a, b, i, filter.size);
    if (((filter.bits[at >>> 5] as number) & (1 << (at & 31))) === 0) return false;
  }
  return true;
}

/** As bloomAllows: one need of every inner list must be in the filter (a token) or its text (a string). */
export function blockFilterAllows(filter: BlockFilter, required: readonly (readonly BlockNeed[])[]): boolean {
  return required.every((anyOf) =>
    anyOf.some((need) =>
      typeof need === "number" ? filterHas(filter, need) : filter.text === null || filter.text.includes(need),
    ),
  );
}

function boundsOf(bounds: Iterable<TraceBounds>): TraceBounds {
  const services = new Set<string>();
  let errorCount = 0;
  let durationMs = 0;
  for (const trace of bounds) {
    for (const service of trace.services) services.add(service);
    errorCount += trace.errorCount;
    durationMs = Math.max(durationMs, trace.durationMs);
  }
  return { services: [...services], errorCount, durationMs };
}

/** The chunk's note, made (with its bounds only) when it has none. */
export function noteOf<T>(
  byStart: SortedChunks<T, BlockNote>,
  chunk: number,
  items: readonly T[],
  boundsOfEntry: (entry: T) => TraceBounds,
): BlockNote & { readonly bounds: TraceBounds } {
  const note = byStart.noteOf(chunk);
  if (note !== undefined && note.bounds !== null) return note as BlockNote & { readonly bounds: TraceBounds };
  const made = { bounds: boundsOf(items.map(boundsOfEntry)), filter: null };
  byStart.setNote(chunk, made);
  return made;
}

export interface BlockGateDeps<T> {
  byStart: SortedChunks<T, BlockNote>;
  /**
   * The compiled query: `mayMatchTrace` must be monotone (bounds of more services, errors or a longer
   * duration never turn a "may" into "cannot"), which span-query.ts's summary test is.
   */
  query: { mayMatchTrace(bounds: TraceBounds): boolean; readonly blockNeeds: readonly (readonly BlockNeed[])[] };
  boundsOf(entry: T): TraceBounds;
  /**
   * Every token of the trace's spans, given to `add`, and every piece of their search text (see
   * domain/search.ts `forEachSearchPart`), given to `addPiece` (the store may rebuild the trace's own
   * filter on the way).
   */
  tokensOf(entry: T, add: (token: number) => void, addPiece: (piece: string) => void): void;
  now?: () => number;
}

/**
 * A walk's test of a block (see PageWalk.chunkMayMatch): false when no trace in it can match the
 * query. A block's filter is built only while `inTime`, and over several calls when one block takes
 * longer than a call's budget (the SQLite store reads each trace's rows). A block that took new or
 * changed traces lately (the newest one, or any when new traces land all over the start order) is
 * walked trace by trace, through the traces' own filters, rather than read whole again after every
 * write (under steady ingest of such traffic, rebuilding notes took most of each search): its note is
 * made once it stays unchanged through a chunk's worth of changes to the order, or from one walk to
 * one at least PASSED_MS later (the calls of one sliced search come sooner).
 */
export function createBlockGate<T>(
  deps: BlockGateDeps<T>,
): (chunk: number, items: readonly T[], inTime: () => boolean) => boolean {
  const { byStart, query } = deps;
  const now = deps.now ?? (() => performance.now());
  const newest = byStart.chunkCount - 1;
  return (chunk, items, inTime) => {
    if (chunk === newest) return true;
    const mark = byStart.noteOf(chunk);
    if (mark === undefined && !byStart.isQuiet(chunk)) {
      // Changed lately: its traces' own tests cost no more than its bounds would, and a note would
      // likely be dropped before it paid.
      byStart.setNote(chunk, { bounds: null, filter: null, passedAt: now() });
      return true;
    }
    if (mark?.bounds === null && now() - (mark.passedAt ?? 0) < PASSED_MS && !byStart.isQuiet(chunk)) return true;
    let note: BlockNote = noteOf(byStart, chunk, items, deps.boundsOf);
    const bounds = note.bounds as TraceBounds;
    if (!query.mayMatchTrace(bounds)) return false;
    if (query.blockNeeds.length === 0) return true;
    if (note.filter === null) {
      if (!inTime()) return true;
      const build = note.building ?? { tokens: new Set<number>(), pieces: new Set<string>(), done: new Set<unknown>() };
      const add = (token: number) => void build.tokens.add(token);
      const addPiece = (piece: string) => void build.pieces.add(piece);
      let read = 0;
      for (const item of items) {
        if (build.done.has(item)) continue;
        if (++read % CLOCK_EVERY_TRACES === 0 && !inTime()) {
          byStart.setNote(chunk, { bounds, filter: null, building: build });
          return true;
        }
        deps.tokensOf(item, add, addPiece);
        build.done.add(item);
      }
      note = { bounds, filter: buildBlockFilter(build.tokens, build.pieces) };
      byStart.setNote(chunk, note);
    }
    return blockFilterAllows(note.filter as BlockFilter, query.blockNeeds);
  };
}
