/**
 * SQLite result codes of a write the file's condition refused, not the data nor a bug: a full disk or
 * a `max_page_count` reached (FULL), a failed read or write of the file (IOERR_*), a lock another
 * process held past the busy timeout (BUSY, LOCKED), a file made read-only or removed (READONLY,
 * CANTOPEN), memory (NOMEM). The same write may succeed later.
 */
const UNAVAILABLE_CODE = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|NOMEM|PROTOCOL)(_|$)/;

/**
 * Why the store could not keep a write when the cause is its file's condition (see above), as a
 * sender is told; null for any other error (a constraint or SQL error is a bug, and stays one).
 * Follows `cause`, which a rolled-back write's later refusal carries (GroupCommit.committed).
 */
export function storeUnavailableReason(error: unknown): string | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && UNAVAILABLE_CODE.test(code)) {
      return `the store could not write to its file (${code}: ${current.message})`;
    }
  }
  return null;
}
