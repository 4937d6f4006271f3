import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/errors.js";
import { readBody } from "../../src/server/body.js";

function gzipRequest(body: Buffer): Request {
  return new Request("http://127.0.0.1/v1/traces", {
    method: "POST",
    headers: { "content-encoding": "gzip", "content-length": String(body.byteLength) },
    body: new Uint8Array(body),
  });
}

/** `gzipped` with the length its trailer states replaced. */
function withStatedLength(gzipped: Buffer, length: number): Buffer {
  const copy = Buffer.from(gzipped);
  copy.writeUInt32LE(length >>> 0, copy.length - 4);
  return copy;
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("gzip bodies", () => {
  // Random hex text: it halves, so a body under the limit inflates past it; several of zlib's pieces.
  const plain = Buffer.from(randomBytes(1600 * 1024 + 17).toString("hex"));
  const gzipped = gzipSync(plain);

  it("inflates to the exact bytes sent, whatever length the trailer states", async () => {
    expect(Buffer.from(await readBody(gzipRequest(gzipped), 32 << 20)).equals(plain)).toBe(true);
    for (const stated of [0, 1, 1000, plain.length - 1, plain.length + 1, 0xffffffff]) {
      // zlib checks the stated length: a wrong one is a corrupt body, after the buffer was sized by it.
      const error = await failure(readBody(gzipRequest(withStatedLength(gzipped, stated)), 32 << 20));
      expect([error.status, error.code]).toEqual([400, "bad_gzip"]);
    }
  });

  it("inflates concatenated gzip members as one body", async () => {
    const first = Buffer.from("first part, ");
    const second = Buffer.from("then the second");
    const body = Buffer.concat([gzipSync(first), gzipSync(second)]);
    expect(Buffer.from(await readBody(gzipRequest(body), 1024)).toString()).toBe("first part, then the second");
  });

  it("takes a body that inflates to exactly the limit, and refuses one byte more with 413", async () => {
    expect((await readBody(gzipRequest(gzipped), plain.length)).byteLength).toBe(plain.length);
    const error = await failure(readBody(gzipRequest(gzipped), plain.length - 1));
    expect([error.status, error.message]).toEqual([
      413,
      // 3,276,834 bytes of hex, less one.
      "body is larger than the 3.1 MiB (3,276,833 bytes) limit after gunzip",
    ]);
  });

  it("refuses what is not gzip, and a cut body, with 400 and zlib's reason", async () => {
    const notGzip = await failure(readBody(gzipRequest(Buffer.from("{}")), 1024));
    expect([notGzip.status, notGzip.message]).toEqual([400, "body is not valid gzip: incorrect header check"]);
    const cut = await failure(readBody(gzipRequest(gzipped.subarray(0, gzipped.length - 100)), 32 << 20));
    expect([cut.status, cut.message]).toEqual([400, "body is not valid gzip: unexpected end of file"]);
    const empty = await failure(readBody(gzipRequest(Buffer.alloc(0)), 1024));
    expect(empty.status).toBe(400);
  });
});
