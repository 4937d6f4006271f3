import type { IncomingMessage } from "node:http";
import { createGunzip } from "node:zlib";
import { AppError } from "../domain/errors.js";
import { byteSize } from "../domain/size-text.js";

/**
 * Reads a request body of at most `limit` bytes, before and after `Content-Encoding` is undone,
 * so neither a huge upload nor a gzip bomb is ever held whole in memory. A large body in a buffer
 * made for it alone is marked so (see `ownBody`), which lets `releaseBody` free it.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const encoding = contentEncoding(request.headers.get("content-encoding"));
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  // With a declared length within the limit, Node's HTTP parser already bounds the body, and the
  // adapter's arrayBuffer() reads it straight off the socket: no web stream per request. Without a
  // length (chunked), the body is read as a stream and cut at the limit.
  const raw =
    Number.isSafeInteger(declared) && declared >= 0
      ? ownBody(new Uint8Array(await request.arrayBuffer()))
      : await readLimited(request, limit);
  return encoding === "gzip" ? gunzipBounded(raw, limit) : raw;
}

/**
 * Frees what a large body's reader has copied out and let go: Node hands a body to its reader in pieces
 * of up to 64 KiB, each in memory of its own that only a young-generation collection frees, and
 * reading a body makes too little garbage for one to come by itself. Reading a 30 MB body held 30 MB
 * of pieces copied and let go, and left most of that memory in the allocator's free lists, where the
 * JavaScript heap cannot use it. Called after each FREED_PIECES_BYTES copied out (a collection then
 * has almost nothing alive to copy: ~1 ms).
 */
export type FreePieces = () => void;

/** Bytes of pieces copied out of a body (or out of gunzip) between two `FreePieces` calls. */
const FREED_PIECES_BYTES = 4 * 1024 * 1024;

/** Calls `free` once every FREED_PIECES_BYTES of pieces counted. */
export function piecesCounter(free: FreePieces | undefined): (bytes: number) => void {
  if (free === undefined) return () => {};
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < FREED_PIECES_BYTES) return;
    since = 0;
    free();
  };
}

/**
 * `readBody` for Node's own request object (the OTLP fast path): the same limits and encodings.
 * `freePieces` frees the pieces copied out so far (see FreePieces); without it they wait for the collector.
 */
export async function readIncomingBody(
  request: IncomingMessage,
  limit: number,
  freePieces?: FreePieces,
): Promise<Uint8Array> {
  const encoding = contentEncoding(request.headers["content-encoding"]);
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  // With a declared length the body is copied into one buffer as it arrives: joining 30 MB of chunks
  // at the end would be one long copy while every other request waits.
  const whole = Number.isSafeInteger(declared) && declared >= 0 ? Buffer.allocUnsafe(declared) : null;
  const copiedOut = piecesCounter(freePieces);
  const raw = await new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > limit) {
        done();
        // The rest is never read; the answer closes the connection.
        request.pause();
        reject(tooLarge(limit));
        return;
      }
      size += chunk.length;
      if (whole !== null && size <= whole.length) {
        chunk.copy(whole, size - chunk.length);
        copiedOut(chunk.length);
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = () => {
      done();
      if (whole !== null && chunks.length === 0) resolve(ownBody(whole.subarray(0, size)));
      else if (whole !== null)
        resolve(ownBody(Buffer.concat([whole.subarray(0, size - sizeOf(chunks)), ...chunks], size)));
      // A single chunk is the stream's own, perhaps a view of a buffer it shares: not marked.
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : ownBody(Buffer.concat(chunks, size)));
    };
    const onClose = () => {
      done();
      reject(new AppError(400, "incomplete_body", "the request ended before its body did"));
    };
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("close", onClose);
  });
  return encoding === "gzip" ? gunzipBounded(raw, limit, freePieces) : raw;
}

/** Buffers a body reader made for one large body alone, which `releaseBody` may empty. */
const OWNED_BUFFERS = new WeakSet<ArrayBuffer>();

/**
 * Marks a large body as being in a buffer made for it alone (nothing else is in it, and nothing else
 * holds it), so that `releaseBody` may free it; a smaller one (perhaps in a pool Node shares) is not
 * marked. Returns the body.
 */
export function ownBody<T extends Uint8Array>(body: T): T {
  if (body.byteLength >= RELEASED_BODY_BYTES && body.buffer instanceof ArrayBuffer) OWNED_BUFFERS.add(body.buffer);
  return body;
}

/**
 * Frees a large body's memory now, once nothing reads it any more: its bytes are moved out of it
 * (transferred, not copied) into a buffer no one holds, which the next young-generation collection
 * frees. Decoding a large body takes many collections, which leave the body's object among the old
 * ones, and only a full collection would free it: storing a 30 MB request then held its 30 MB until
 * then. Only a body its reader marked as its own (`ownBody`) is freed: emptying a buffer the body
 * shares (a stream's chunk, a view of a larger buffer) would empty whatever else is in it. The body
 * must not be read after this (it is left empty); a small or unmarked one is left alone.
 */
export function releaseBody(body: Uint8Array): void {
  const { buffer } = body;
  if (body.byteLength < RELEASED_BODY_BYTES || !(buffer instanceof ArrayBuffer) || !OWNED_BUFFERS.has(buffer)) return;
  OWNED_BUFFERS.delete(buffer);
  try {
    structuredClone(buffer, { transfer: [buffer] });
  } catch {
    // Not transferable (a buffer Node shares): the collector frees it in its time.
  }
}

/** Bodies from this size on are freed at once by `releaseBody` (far above the buffers Node pools). */
const RELEASED_BODY_BYTES = 1024 * 1024;

function sizeOf(chunks: readonly Buffer[]): number {
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  return size;
}

function contentEncoding(header: string | null | undefined): "identity" | "gzip" {
  const encoding = (header ?? "identity").trim().toLowerCase();
  if (encoding === "identity" || encoding === "") return "identity";
  if (encoding === "gzip") return "gzip";
  throw new AppError(
    415,
    "unsupported_encoding",
    `Content-Encoding "${encoding}" is not supported; send gzip or identity`,
  );
}

/**
 * Inflates a gzip body on the thread pool, refusing to grow it past `limit`. What comes out is copied
 * into one buffer as it comes, sized by the length the gzip trailer states when that is within the
 * limit (and grown if it lied): inflating in one call joined 30 MB of pieces at its end, and copied
 * them once more, holding the event loop for 30–60 ms.
 */
export function gunzipBounded(raw: Uint8Array, limit: number, freePieces?: FreePieces): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const inflate = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
    let out = Buffer.allocUnsafe(Math.min(statedLength(raw), limit));
    let size = 0;
    const copiedOut = piecesCounter(freePieces);
    inflate.on("data", (chunk: Buffer) => {
      if (size + chunk.length > limit) {
        inflate.destroy();
        reject(tooLarge(limit, "after gunzip"));
        return;
      }
      if (size + chunk.length > out.length) {
        const grown = Buffer.allocUnsafe(Math.min(limit, Math.max(size + chunk.length, 2 * out.length)));
        out.copy(grown, 0, 0, size);
        out = grown;
      }
      chunk.copy(out, size);
      size += chunk.length;
      copiedOut(chunk.length);
    });
    inflate.on("end", () => resolve(ownBody(out.subarray(0, size))));
    inflate.on("error", (error) => reject(new AppError(400, "bad_gzip", `body is not valid gzip: ${error.message}`)));
    inflate.end(raw);
  });
}

/** Output asked of zlib per piece: fewer, larger pieces cost the event loop less than its default 16 KB. */
const GUNZIP_CHUNK_BYTES = 256 * 1024;

/** The uncompressed length a gzip body's trailer states (of its last member, modulo 2^32), or 0 when it has none. */
function statedLength(raw: Uint8Array): number {
  if (raw.length < 18) return 0;
  const end = raw.length;
  return (
    (raw[end - 1] as number) * 2 ** 24 +
    (((raw[end - 2] as number) << 16) | ((raw[end - 3] as number) << 8) | (raw[end - 4] as number))
  );
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
  // A single chunk is the stream's own, perhaps a view of a buffer it shares: not marked.
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const body = ownBody(new Uint8Array(size));
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function tooLarge(limit: number, when = ""): AppError {
  const suffix = when ? ` ${when}` : "";
  return new AppError(
    413,
    "body_too_large",
    `body is larger than the ${byteSize(limit, { exact: true })} limit${suffix}`,
  );
}

/**
 * The first bytes (up to `max`) of a body that was refused unread (its declared length is over the
 * limit), to say whose it was; empty when it was read already, is compressed, or has none. The rest
 * is read and let go, up to DISCARDED_BODY_BYTES, as the server would discard it anyway after the
 * answer: a body left part-read ends the connection, which the client keeps alive for its next request.
 */
export async function readBodyHead(request: Request, max: number): Promise<Uint8Array> {
  if (request.body === null || request.bodyUsed) return new Uint8Array(0);
  if (contentEncodingOrNull(request.headers.get("content-encoding")) !== "identity") return new Uint8Array(0);
  const reader = request.body.getReader();
  const head = new Uint8Array(max);
  let size = 0;
  let read = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size < max) {
      const part = value.subarray(0, max - size);
      head.set(part, size);
      size += part.byteLength;
    }
    read += value.byteLength;
    if (read > DISCARDED_BODY_BYTES) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return head.subarray(0, size);
}

/** How much of a refused body readBodyHead reads and lets go before it ends the connection instead. */
const DISCARDED_BODY_BYTES = 64 * 1024 * 1024;

function contentEncodingOrNull(header: string | null): "identity" | "gzip" | null {
  try {
    return contentEncoding(header);
  } catch {
    return null;
  }
}
