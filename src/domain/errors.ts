/** A typed error mapped once, at the server edge, to `{error:{code,message}}` and a status. */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "AppError";
  }
}
