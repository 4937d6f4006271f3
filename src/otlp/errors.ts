/**
 * The request body as a whole cannot be decoded (malformed protobuf, a JSON body of the wrong shape,
 * nesting past our bound). The server maps it to 400: retrying the same bytes cannot succeed.
 * A problem confined to one span is not this error; that span is counted as rejected instead.
 */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OtlpDecodeError";
  }
}
