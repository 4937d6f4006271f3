import { forEachSearchPart } from "../domain/search.js";
import type { Span } from "../domain/span.js";
import { emptyBloom, type GrowingBloom, growBloom } from "./trace-blooms.js";

/**
 * Traces' filters (trace-blooms.ts) and what their blocks' notes need (trace-blocks.ts), gathered on
 * the write path while queries need them. Built at the first query instead, each new trace's spans
 * were read back (unpacked, or read from the file's rows and decoded) once for its filter and again
 * for its block's note: under steady ingest, more than a search's time budget, so searches answered
 * partial pages. From the objects in hand, a span costs ~1 µs more to store while a query asked
 * within FILTERS_ON_WRITE_MS, and nothing otherwise.
 */

/** How long after a query needed the traces' filters new traces get theirs as their spans arrive. */
const FILTERS_ON_WRITE_MS = 5 * 60_000;
/** Traces holding what their notes need until a note takes it (~1.5 KB each for ten SDK spans). */
const MAX_NOTE_INPUTS = 8_192;

/** A trace's tokens and pieces of search text, as its block's note takes them. */
export interface NoteInput {
  /** How many of the trace's spans they cover. */
  spans: number;
  readonly tokens: number[];
  readonly pieces: string[];
}

/** What a store keeps on each trace for this. */
export interface FilteredTrace {
  /** Built by the first query that needs it, or as the spans arrive. */
  bloom: GrowingBloom | null;
  /** Gathered as the spans arrived; taken by the block's note (stores drop it when they evict the trace). */
  noteInput: NoteInput | null;
}

export interface FiltersOnWrite {
  /** A query was compiled: when it tests traces' filters or blocks' notes, gather from now on. */
  queried(query: { readonly tokens: readonly unknown[]; readonly blockNeeds: readonly unknown[] }): void;
  /** A span the store accepted for `trace`, which now holds `spanCount` spans with it. */
  spanAccepted(trace: FilteredTrace, spanCount: number, span: Span): void;
  /**
   * Hands a block's note the trace's tokens and pieces when they cover all its `spanCount` spans
   * (and lets go of them); false when the note must read its spans instead.
   */
  takeNoteInput(
    trace: FilteredTrace,
    spanCount: number,
    add: (token: number) => void,
    addPiece: (piece: string) => void,
  ): boolean;
  /** The store's traces were read again or cleared. */
  forget(): void;
}

export function createFiltersOnWrite(now: () => number = () => performance.now()): FiltersOnWrite {
  let neededAt = Number.NEGATIVE_INFINITY;
  /** The traces holding note input, oldest first in a ring: past the bound, the oldest lets go of it. */
  const holders: (FilteredTrace | undefined)[] = new Array(MAX_NOTE_INPUTS);
  let next = 0;

  function startTrace(trace: FilteredTrace): { bloom: GrowingBloom; input: NoteInput } {
    const bloom = emptyBloom();
    const input: NoteInput = { spans: 0, tokens: [], pieces: [] };
    trace.bloom = bloom;
    trace.noteInput = input;
    const oldest = holders[next];
    if (oldest !== undefined) oldest.noteInput = null;
    holders[next] = trace;
    next = (next + 1) % MAX_NOTE_INPUTS;
    return { bloom, input };
  }

  return {
    queried(query) {
      if (query.tokens.length > 0 || query.blockNeeds.length > 0) neededAt = now();
    },
    spanAccepted(trace, spanCount, span) {
      let bloom = trace.bloom;
      let input = trace.noteInput;
      if (bloom === null) {
        // Only from a trace's first span: an older one's spans are not in hand.
        if (spanCount !== 1 || now() - neededAt > FILTERS_ON_WRITE_MS) return;
        ({ bloom, input } = startTrace(trace));
      } else if (bloom.spans !== spanCount - 1) {
        return; // out of date: the next query that needs it rebuilds it
      }
      if (input === null || input.spans !== bloom.spans) {
        trace.noteInput = null;
        growBloom(bloom, span);
        return;
      }
      const { tokens, pieces } = input;
      growBloom(bloom, span, (token) => tokens.push(token));
      forEachSearchPart(span.name, span.status.message, span.attributes, span.events, (piece) => pieces.push(piece));
      input.spans++;
    },
    takeNoteInput(trace, spanCount, add, addPiece) {
      const input = trace.noteInput;
      if (input === null) return false;
      trace.noteInput = null;
      if (input.spans !== spanCount) return false;
      for (const token of input.tokens) add(token);
      for (const piece of input.pieces) addPiece(piece);
      return true;
    },
    forget() {
      holders.fill(undefined);
      next = 0;
    },
  };
}
