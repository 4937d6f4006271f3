import { reading } from "./store-unavailable.js";

/**
 * A SQLite store's memory read back from its file after a write rolled back (the span, log and
 * metric stores each hold one). While a read fails the store is unread: memory is not what the file
 * holds, nothing is written, and every use reads the file first (`beforeUse`), or throws why it
 * cannot, marked as a read (store-unavailable.ts).
 */
export class FileReadBack {
  private unreadNow = false;
  private reading = false;

  /** `load` replaces what memory holds with what the file holds; it throws when the file cannot be read. */
  constructor(private readonly load: () => void) {}

  /** A read back failed and none has succeeded since. */
  get unread(): boolean {
    return this.unreadNow;
  }

  /** Reads the file back; throws (the store stays unread) when it cannot. */
  read(): void {
    this.unreadNow = true;
    this.reading = true;
    try {
      reading(() => this.load());
      this.unreadNow = false;
    } finally {
      this.reading = false;
    }
  }

  /** `read`, a failure left for the next use to read again or tell. */
  readOrLater(): void {
    try {
      this.read();
    } catch {
      // Still unread: the next use reads the file, or throws why it cannot.
    }
  }

  /** Before any use of the store: reads the file first while unread (not from within a read). */
  beforeUse(): void {
    if (this.unreadNow && !this.reading) this.read();
  }
}
