/**
 * When a SQLite store's batched writes go out if nothing forces them sooner: at most one timer at a
 * time, unref'd so it never keeps the process alive. A timed flush that fails has no caller to tell,
 * so its error is kept and thrown by the store's next write (`throwDeferred`), unless someone heard
 * it meanwhile (`told`: the requests awaiting that commit were given it).
 */
export class FlushTimer {
  private timer: NodeJS.Timeout | null = null;
  private deferred: unknown = null;

  constructor(
    private readonly intervalMs: number,
    private readonly flush: () => void,
    /** Whether a failure was given to someone already (GroupCommit.told): then it is not told again. */
    private readonly told: (error: unknown) => boolean = () => false,
  ) {}

  /** Starts the timer unless one is running. */
  schedule(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        this.flush();
      } catch (error) {
        this.deferred = error;
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops a running timer (the store is flushing now, or dropping what was pending). */
  cancel(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
  }

  /** Throws the error of a timed flush that failed since the last call, once, and only if nobody heard it. */
  throwDeferred(): void {
    if (this.deferred === null) return;
    const error = this.deferred;
    this.deferred = null;
    if (!this.told(error)) throw error;
  }
}
