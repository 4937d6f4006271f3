import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { AppError } from "../domain/errors.js";

const gunzipAsync = promisify(gunzip);

/**
 * Reads a request body of at most `limit` bytes, before and after `Content-Encoding` is undone,
 * so neither a huge upload nor a gzip bomb is ever held whole in memory.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip" && encoding !== "") {
    throw new AppError(
      415,
      "unsupported_encoding",
      `Content-Encoding "${encoding}" is not supported; send gzip or identity`,
    );
  }
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  // With a declared length within the limit, Node's HTTP parser already bounds the body, and the
  // adapter's arrayBuffer() reads it straight off the socket: no web stream per request, which is
  // most of the server time of a one-span request (TraceKit's Python SDK sends every span so, and
  // waits). Without a length (chunked), the body is read as a stream and cut at the limit.
  const raw =
    Number.isSafeInteger(declared) && declared >= 0
      ? new Uint8Array(await request.arrayBuffer())
      : await readLimited(request, limit);
  if (encoding !== "gzip") return raw;
  try {
    return new Uint8Array(await gunzipAsync(raw, { maxOutputLength: limit }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError) {
      throw tooLarge(limit, "after gunzip");
    }
    throw new AppError(400, "bad_gzip", `body is not valid gzip: ${(error as Error).message}`);
  }
}

async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function tooLarge(limit: number, when = ""): AppError {
  const suffix = when ? ` ${when}` : "";
  return new AppError(413, "body_too_large", `body is larger than the ${limit}-byte limit${suffix}`);
}
