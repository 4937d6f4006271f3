import { closeSync, fdatasync, openSync } from "node:fs";

/** The file calls the preflush makes (parameters for tests). */
export interface WalPreflushFiles {
  open(path: string): number;
  sync(fd: number, done: (error: Error | null) => void): void;
  close(fd: number): void;
}

/**
 * Commits between a failed open of the log and the next try, doubled after each failure up to the
 * most: a failing open (a system call) costs nothing next to the 1,024 commits between.
 */
const FIRST_OPEN_BACKOFF = 16;
const MAX_OPEN_BACKOFF = 1_024;

const NODE_FILES: WalPreflushFiles = {
  open: (path) => openSync(path, "r"),
  sync: (fd, done) => fdatasync(fd, done),
  close: (fd) => closeSync(fd),
};

/**
 * Hands the write-ahead log's new frames to the disk in Node's thread pool after each commit, one sync
 * at a time. A checkpoint runs inside the commit that fills the log to `wal_autocheckpoint` pages
 * (sqlite-open.ts), and with `synchronous = NORMAL` it first syncs the log: on the event loop, until the
 * disk has every frame written since the last checkpoint (4 MiB). With those frames already synced here,
 * that sync finds few left: with 20 senders (bench/services.mjs, SQLite) the log's syncs inside
 * commits took 23-38 ms per checkpoint without this and 7-18 ms with it (four runs each, on a busy
 * 2-core machine). It changes nothing of what a commit guarantees (SQLite's own syncs still run); it
 * only moves most of their waiting off the event loop.
 *
 * Only with `synchronous = NORMAL`: with FULL, SQLite syncs the log in every commit, so there is
 * nothing left to sync ahead (sqlite-store.ts constructs none).
 *
 * Only the log is opened here, never the database file: closing a descriptor of a file drops every
 * POSIX lock this process holds on it, and the database file carries the connection's exclusive lock.
 */
export class WalPreflush {
  private fd: number | null = null;
  /** The store closed. */
  private off = false;
  private syncing = false;
  /** Commits to let pass before trying again to open the log, after a failed try. */
  private openIn = 0;
  /** Commits to let pass after the next failed try. */
  private openBackoff = FIRST_OPEN_BACKOFF;

  constructor(
    private readonly walPath: string,
    private readonly files: WalPreflushFiles = NODE_FILES,
  ) {}

  /** A commit wrote frames: starts syncing the log unless a sync is under way (it takes them too, or the next does). */
  committed(): void {
    if (this.off || this.syncing) return;
    if (this.fd === null) {
      if (this.openIn > 0) {
        this.openIn--;
        return;
      }
      try {
        this.fd = this.files.open(this.walPath);
      } catch {
        // Until the log opens (out of descriptors for a while, or no log file) the commits sync what
        // they must; tried again later, ever more rarely, and without a word: nothing is lost.
        this.openIn = this.openBackoff;
        this.openBackoff = Math.min(this.openBackoff * 2, MAX_OPEN_BACKOFF);
        return;
      }
      this.openBackoff = FIRST_OPEN_BACKOFF;
    }
    this.syncing = true;
    // A failed sync is SQLite's to meet at its own sync, and to report with the commit it fails.
    this.files.sync(this.fd, () => {
      this.syncing = false;
      if (this.off) this.release();
    });
  }

  /** No sync starts any more; the descriptor is closed now, or once the sync under way ends. */
  close(): void {
    this.off = true;
    if (!this.syncing) this.release();
  }

  private release(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      this.files.close(fd);
    } catch {
      // Nothing was written through it.
    }
  }
}
