import { status } from "@grpc/grpc-js";
import { AppError } from "../domain/errors.js";
import { type FreePieces, gunzipBounded } from "./body.js";
import { PREFIX_BYTES } from "./grpc-frames.js";

/** The part of grpc-js's call object (not its API) that is replaced here. */
interface Inflating {
  /** Takes a message with its 5-byte prefix; resolves to its bytes inflated, or rejects with a status. */
  decompressMessage(message: Buffer, encoding: string): Buffer | Promise<Buffer>;
}

function inflatingOf(call: unknown): Inflating | null {
  const inflating = call as Partial<Inflating>;
  return typeof inflating.decompressMessage === "function" ? (inflating as Inflating) : null;
}

/**
 * Inflates a `grpc-encoding: gzip` message as OTLP/HTTP inflates a gzip body (`gunzipBounded`): into one
 * buffer sized by the length gzip's trailer states, `freePieces` freeing zlib's output pieces as they
 * are copied. grpc-js's own way keeps every 16 KB piece of a 30 MB message until it has all, joins them
 * in one copy at the end, and leaves them to a full collection: they stayed beside all that decoding
 * and storing the message took (peak RSS 3.5x the message). Its bound (`limit`, before the pieces
 * exceed it) and its answers stay: RESOURCE_EXHAUSTED past the bound, INTERNAL for bytes that do not
 * inflate. Other encodings are left to grpc-js. `call` is the object grpc-js hands the first interceptor;
 * `decompressMessage` is grpc-js's internals, not its API: where it is not found, nothing changes.
 */
export function inflateLikeABody(call: unknown, limit: number, freePieces?: FreePieces): void {
  const inflating = inflatingOf(call);
  if (inflating === null) return;
  const decompress = inflating.decompressMessage.bind(inflating);
  inflating.decompressMessage = (message, encoding) => {
    if (encoding !== "gzip") return decompress(message, encoding);
    return gunzipBounded(message.subarray(PREFIX_BYTES), limit, freePieces).then(
      (inflated) => inflated as Buffer,
      (error: unknown) =>
        Promise.reject(
          error instanceof AppError && error.status === 413
            ? {
                code: status.RESOURCE_EXHAUSTED,
                details: `Received message that decompresses to a size larger than ${limit}`,
              }
            : { code: status.INTERNAL, details: "Failed to decompress message" },
        ),
    );
  };
}
