import { randomBytes } from "node:crypto";
import { Server, ServerCredentials, ServerInterceptingCall, status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { exportClient } from "../../bench/grpc-client.mjs";
import { inflateLikeABody } from "../../src/server/grpc-inflate.js";
import { rawBytesService } from "../helpers/grpc-raw.js";

// A gzip message is inflated as an OTLP/HTTP gzip body is: into one buffer, freeing zlib's pieces as
// they are copied, with grpc-js's own bound and answers.

const MIB = 1024 * 1024;

/** A server of one unary method that keeps the messages it receives, inflating through inflateLikeABody. */
async function startEcho(limit: number, freePieces: () => void) {
  const service = rawBytesService("/test.Inflate/Export");
  const received: Buffer[] = [];
  const server = new Server({
    "grpc.max_receive_message_length": limit,
    interceptors: [
      (_method, call) => {
        inflateLikeABody(call, limit, freePieces);
        return new ServerInterceptingCall(call);
      },
    ],
  });
  server.addService(service, {
    Export: (call: { request: Buffer }, answer: (error: null, value: Buffer) => void) => {
      received.push(call.request);
      answer(null, Buffer.from("ok"));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    received,
    client: exportClient(port, "test.Inflate", { gzip: true }),
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** 12 MiB that gzip shrinks: random lines repeated. */
function compressible(): Buffer {
  const line = randomBytes(512).toString("hex");
  return Buffer.from(line.repeat(Math.ceil((12 * MIB) / line.length)).slice(0, 12 * MIB));
}

describe("inflateLikeABody", () => {
  it("inflates a gzip message whole into a buffer of its own, freeing zlib's pieces as it copies them", async () => {
    let freed = 0;
    const echo = await startEcho(16 * MIB, () => freed++);
    try {
      const message = compressible();
      const { error } = await echo.client.send(message);
      expect(error).toBeNull();
      const [got] = echo.received;
      expect(got?.equals(message)).toBe(true);
      expect(got?.buffer.byteLength).toBe(message.length);
      // About one call every 4 MiB copied.
      expect(freed).toBeGreaterThanOrEqual(2);
    } finally {
      echo.client.close();
      await echo.close();
    }
  });

  it("answers a message that inflates past the bound RESOURCE_EXHAUSTED, as grpc-js does", async () => {
    const echo = await startEcho(4 * MIB, () => {});
    try {
      const { error } = await echo.client.send(compressible());
      expect(error?.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(error?.details).toBe(`Received message that decompresses to a size larger than ${4 * MIB}`);
      expect(echo.received).toHaveLength(0);
    } finally {
      echo.client.close();
      await echo.close();
    }
  });
});
