import type { SqliteDatabase } from "./sqlite-schema.js";
import { failedTo } from "./store-unavailable.js";

/** A store on the shared connection whose writes wait in memory for the next commit. */
export interface CommitParticipant {
  /** Whether anything waits to be written. */
  hasPending(): boolean;
  /** Writes what waits; runs inside the group's transaction (a store's own transaction nests in it). */
  write(): void;
  /**
   * The group's transaction rolled back: what memory holds of the file is read back from it. One that
   * cannot read it should keep that in mind and read it before its next use (the span, log and metric stores do):
   * what it throws here is ignored, so that the others still read theirs and the waiters are told.
   */
  rolledBack(): void;
  /** The group's transaction committed what `write` wrote. */
  committed?(): void;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the stores sharing one SQLite connection (spans, and the log records riding with
 * them): every commit writes what all of them hold pending in one transaction, and `committed()`
 * resolves once everything accepted before the call is in the file. A caller that waits makes the
 * commit happen as soon as the event loop is idle (after every request that completed in the same
 * turn has been accepted), so concurrent requests share one commit; writes nobody waits for go out
 * on the stores' own timers and size bounds, which call `commit()`.
 *
 * In WAL mode a commit has reached the operating system when COMMIT returns, so it survives the
 * process being killed; `synchronous = FULL` would also wait for the disk (see openDatabase).
 */
export class GroupCommit {
  private readonly participants: CommitParticipant[] = [];
  private waiters: Waiter[] = [];
  private immediate: NodeJS.Immediate | null = null;
  /** Commits that failed (and rolled back) so far: see `mark`. */
  private failures = 0;
  /** The error of the latest failed commit: the cause of a refusal by `committed(mark)`. */
  private lastFailure: unknown = null;
  /** Failures some waiter was given (see `told`). */
  private readonly toldFailures = new WeakSet<object>();
  private readonly writeAll: () => void;

  constructor(db: SqliteDatabase) {
    this.writeAll = db.transaction(() => {
      for (const participant of this.participants) participant.write();
    });
  }

  join(participant: CommitParticipant): void {
    this.participants.push(participant);
  }

  /**
   * A mark to pass to `committed` by a caller about to write in several steps (a request stored in
   * slices): a commit failing in between rolls back, with everything else pending, the steps before it.
   */
  mark(): number {
    return this.failures;
  }

  /**
   * Resolves once every write accepted so far is committed; rejects when that commit failed, or when
   * one failed since `mark` was taken (what was written after the mark may be lost).
   */
  committed(mark?: number): Promise<void> {
    if (mark !== undefined && mark !== this.failures) {
      // The caller hears of the failure (its request is refused): it is told.
      this.noteTold(this.lastFailure);
      return Promise.reject(
        new Error("a commit to the store's file failed and rolled back writes accepted with it", {
          cause: this.lastFailure,
        }),
      );
    }
    if (!this.participants.some((participant) => participant.hasPending())) return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.immediate ??= setImmediate(() => {
      this.immediate = null;
      try {
        this.commit();
      } catch {
        // The waiters were given the error; there is no other caller to tell.
      }
    });
    return promise;
  }

  /** Writes everything pending in one transaction and settles the waiters; rethrows a failure. */
  commit(): void {
    const waiters = this.waiters;
    this.waiters = [];
    try {
      this.writeAll();
    } catch (error) {
      // A failure of the commit, to be told as one (a read that commits first names it so: storeUnavailableReason).
      failedTo("write", error);
      this.failures++;
      this.lastFailure = error;
      for (const participant of this.participants) {
        try {
          participant.rolledBack();
        } catch {
          // See CommitParticipant.rolledBack.
        }
      }
      for (const waiter of waiters) waiter.reject(error);
      if (waiters.length > 0) this.noteTold(error);
      throw error;
    }
    for (const participant of this.participants) participant.committed?.();
    for (const waiter of waiters) waiter.resolve();
  }

  private noteTold(error: unknown): void {
    if (typeof error === "object" && error !== null) this.toldFailures.add(error);
  }

  /**
   * Whether `error`, thrown by `commit`, was given to someone: to the callers awaiting that commit, or
   * to one whose `committed(mark)` it refused.
   */
  told(error: unknown): boolean {
    return typeof error === "object" && error !== null && this.toldFailures.has(error);
  }

  /** Stops a pending immediate commit (the connection closes; close() commits what is pending). */
  cancel(): void {
    if (this.immediate === null) return;
    clearImmediate(this.immediate);
    this.immediate = null;
  }
}
