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
