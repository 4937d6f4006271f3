/**
 * Reading a `--db` file back at open is written as generators that yield between rows (every
 * `ROWS_PER_STEP`), so that a start can run it in slices, giving the event loop back between them
 * (`runInSlices`: /api/health answers while a large file loads), and every other caller (a reload
 * after a failed commit, `clear`, the offline commands) all at once (`runToEnd`, domain/steps.ts).
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Steps } from "../domain/steps.js";

export type LoadSteps<T = void> = Steps<T>;

/** Rows read between two steps: a step is then ~0.1-1 ms, checked against the slice's time. */
export const ROWS_PER_STEP = 16;

/** Longest a slice of a load keeps the event loop (ms), as the views build's (sqlite-views-build.ts). */
export const LOAD_SLICE_MS = 12;

/** Why a load stopped between two slices: the start was stopped (Ctrl+C while a file loads). */
export class LoadStoppedError extends Error {
  override name = "LoadStoppedError";
}

/**
 * Runs the steps in slices of at most `sliceMs`, each followed by a turn of the event loop. When
 * `stopped()` says so at a pause, the generator is ended (its `finally` blocks run: a store being
 * opened closes its file) and the promise rejects with a LoadStoppedError.
 */
export async function runInSlices<T>(
  steps: LoadSteps<T>,
  { sliceMs = LOAD_SLICE_MS, stopped = () => false }: { sliceMs?: number; stopped?: () => boolean } = {},
): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    if (performance.now() - sliceStart < sliceMs) continue;
    await nextTurn();
    if (stopped()) {
      steps.return(undefined as T);
      throw new LoadStoppedError("the start was stopped while the file loaded");
    }
    sliceStart = performance.now();
  }
}
