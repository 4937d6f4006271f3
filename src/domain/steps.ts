/**
 * Work written as a generator that yields between items (a large request's decoding, a `--db` file
 * read back at start), so a caller can run it in slices between other work, or all at once.
 */
export type Steps<T = void> = Generator<void, T, void>;

/** Runs the steps to their end in one go, without pausing. */
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}
