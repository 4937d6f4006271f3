/**
 * SQLite result codes of a use of the file its condition refused, not the data nor a bug: a full disk or
 * a `max_page_count` reached (FULL), a failed read or write of the file (IOERR_*), a lock another
 * process held past the busy timeout (BUSY, LOCKED), a file made read-only or removed (READONLY,
 * CANTOPEN), memory (NOMEM). The same use may succeed later.
 */
const UNAVAILABLE_CODE = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|NOMEM|PROTOCOL)(_|$)/;

/** What a store was doing with its file when it failed. */
export type FileUse = "read" | "write";

const FAILED_TO = Symbol("failed to");

/**
 * Marks `error` as a failure to read or to write the store's file, for `storeUnavailableReason`, and
 * returns it to be thrown. A mark already on it stays: the step nearest the file knew best (a read
 * back of the file that failed inside a commit is still a read).
 */
export function failedTo(use: FileUse, error: unknown): unknown {
  if (typeof error === "object" && error !== null && !Object.hasOwn(error, FAILED_TO)) {
    Object.defineProperty(error, FAILED_TO, { value: use });
  }
  return error;
}

/**
 * `read()`, a failure of it marked as a failure to read the store's file (`failedTo`): a request that
 * came to write but first reads the file (an SDK's poll, spans or logs sent again) is told the read failed.
 */
export function reading<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw failedTo("read", error);
  }
}

/**
 * Why the store could not serve a request when the cause is its file's condition (see above), as the
 * sender is told: what it failed to do (a mark `failedTo` left, else `use`, what the request came to
 * do) and SQLite's code; null for any other error (a constraint or SQL error is a bug, and stays one).
 * Follows `cause`, which a rolled-back write's later refusal carries (GroupCommit.committed).
 */
export function storeUnavailableReason(error: unknown, use: FileUse = "write"): string | null {
  let failed = use;
  let marked = false;
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const mark = (current as { [FAILED_TO]?: FileUse })[FAILED_TO];
    if (mark !== undefined && !marked) {
      failed = mark;
      marked = true;
    }
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && UNAVAILABLE_CODE.test(code)) {
      const what = failed === "read" ? "the store could not read its file" : "the store could not write to its file";
      return `${what} (${code}: ${current.message})`;
    }
  }
  return null;
}
