/** A typed error mapped once, at the server edge, to `{error:{code,message}}` and a status. */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503,
    readonly code: string,
    message: string,
    /** More fields for the error object (e.g. a query error's `position`). */
    readonly details?: Readonly<Record<string, string | number>>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

/**
 * Whether an error is a module of this program missing at run time: its files were replaced while it
 * ran (a reinstall, or a rebuild of a clone). Parts used first late (the MCP route, import and export,
 * the map's layout) are loaded on first use, and a rebuild gives their files new names.
 */
export function isProgramChangedOnDisk(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // ERR_MODULE_NOT_FOUND from the bundle's loader (and `import()`), MODULE_NOT_FOUND from `require` (Node 22).
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
}

/** What a request that needed such a module is told (503: it will not work until a restart). */
export const PROGRAM_CHANGED_MESSAGE =
  "tracekit-local's files changed on disk while it ran (reinstalled or rebuilt): restart it to use them";

/**
 * How a request that failed unexpectedly is answered (the error itself is told to the terminal):
 * 503 `restart_needed` when this program's files changed on disk, else 500 `internal`.
 */
export function internalErrorAnswer(error: unknown): { status: 500 | 503; code: string; message: string } {
  return isProgramChangedOnDisk(error)
    ? { status: 503, code: "restart_needed", message: PROGRAM_CHANGED_MESSAGE }
    : { status: 500, code: "internal", message: "internal error; see the tracekit-local terminal" };
}
