import { randomBytes } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { lazyYoungCollection } from "../../src/heap-compaction.js";
import { readIncomingBody } from "../../src/server/body.js";

// A large body arrives in pieces of up to 64 KiB that the reader copies into one buffer; the reader
// asks for the pieces it let go to be freed (a young collection) once every 4 MiB copied out, of the
// body as received and of what gunzip made of it, and the body it returns is the one sent.

const MIB = 1024 * 1024;

/** Reads one request's body on a real server with `readIncomingBody`, counting the `freePieces` calls. */
async function readOnServer(body: Buffer, headers: Record<string, string>) {
  let frees = 0;
  const collect = lazyYoungCollection();
  const freePieces = () => {
    frees++;
    collect();
  };
  let read: Promise<Uint8Array> | null = null;
  const server = createServer((request: IncomingMessage, response) => {
    read = readIncomingBody(request, 32 * MIB, freePieces);
    read.then(
      () => response.end("ok"),
      () => response.end("failed"),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const sent = httpRequest({ host: "127.0.0.1", port, method: "POST", path: "/", headers }, (response) => {
        response.resume();
        response.on("end", resolve);
      });
      sent.on("error", reject);
      // Written in parts, so that the server reads many pieces.
      for (let offset = 0; offset < body.length; offset += MIB) sent.write(body.subarray(offset, offset + MIB));
      sent.end();
    });
    const bytes = await (read as unknown as Promise<Uint8Array>);
    return { bytes, frees };
  } finally {
    server.close();
  }
}

describe("reading a large body", () => {
  it("asks for the pieces it copied out to be freed every 4 MiB, and returns the body sent", async () => {
    const body = randomBytes(10 * MIB);
    const { bytes, frees } = await readOnServer(body, { "Content-Length": String(body.length) });
    expect(Buffer.from(bytes).equals(body)).toBe(true);
    expect(frees).toBe(2);
  });

  it("does so for a gzip body and for what gunzip made of it", async () => {
    const body = randomBytes(10 * MIB);
    const gzipped = gzipSync(body);
    const { bytes, frees } = await readOnServer(gzipped, {
      "Content-Length": String(gzipped.length),
      "Content-Encoding": "gzip",
    });
    expect(Buffer.from(bytes).equals(body)).toBe(true);
    // 2 while the (incompressible, so just over 10 MiB) gzip body arrived, 2 while it was inflated.
    expect(frees).toBe(4);
  });

  it("keeps the pieces of a body of unknown length (it joins them at its end) and asks for nothing", async () => {
    const body = randomBytes(5 * MIB);
    const { bytes, frees } = await readOnServer(body, { "Transfer-Encoding": "chunked" });
    expect(Buffer.from(bytes).equals(body)).toBe(true);
    expect(frees).toBe(0);
  });

  it("asks for nothing while a small body arrives", async () => {
    const body = randomBytes(3 * MIB);
    const { bytes, frees } = await readOnServer(body, { "Content-Length": String(body.length) });
    expect(Buffer.from(bytes).equals(body)).toBe(true);
    expect(frees).toBe(0);
  });
});
