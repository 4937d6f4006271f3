import { randomBytes } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Server, ServerCredentials, ServerInterceptingCall } from "@grpc/grpc-js";
import { StreamDecoder } from "@grpc/grpc-js/build/src/stream-decoder.js";
import { describe, expect, it } from "vitest";
import { exportClient } from "../../bench/grpc-client.mjs";
import { copyFramesOnArrival } from "../../src/server/grpc-frames.js";
import { rawBytesService } from "../helpers/grpc-raw.js";

// grpc-js's message decoder is replaced by one that copies each DATA frame into its message as it
// arrives: the messages it hands grpc-js are the ones grpc-js's own decoder makes, however the bytes
// are split, and no frame is kept once copied.

/** A message with its gRPC prefix (compressed flag, length). */
function framed(body: Buffer, compressed = false): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(compressed ? 1 : 0, 0);
  prefix.writeUInt32BE(body.length, 1);
  return Buffer.concat([prefix, body]);
}

/** A stand-in for the call object grpc-js hands the first interceptor, with grpc-js's own decoder. */
function callWithDecoder(max: number): { decoder: StreamDecoder } {
  const call = { decoder: new StreamDecoder(max) };
  copyFramesOnArrival(call);
  return call;
}

/** Feeds `bytes` in pieces ending at `cuts` to a decoder; returns the messages (in hex), or the error it threw. */
function feed(decoder: { write(data: Buffer): Buffer[] }, bytes: Buffer, cuts: number[]): string[] | string {
  const out: string[] = [];
  let from = 0;
  try {
    for (const to of [...cuts, bytes.length]) {
      out.push(...decoder.write(bytes.subarray(from, to)).map((message) => message.toString("hex")));
      from = to;
    }
  } catch (error) {
    return (error as Error).message;
  }
  return out;
}

describe("copyFramesOnArrival", () => {
  it("hands grpc-js the messages its own decoder makes, however the bytes are split", () => {
    const stream = Buffer.concat([
      framed(randomBytes(3000)),
      framed(Buffer.alloc(0)),
      framed(randomBytes(1), true),
      framed(randomBytes(70_000)),
    ]);
    const splits = [[], [1], [2, 3, 4, 5, 6], [4, 3005, 3006, 3010], Array.from({ length: 200 }, (_, i) => i * 371)];
    for (const cuts of splits) {
      const expected = feed(new StreamDecoder(-1), stream, cuts);
      const got = feed(callWithDecoder(-1).decoder, stream, cuts);
      expect(got).toEqual(expected);
      expect(got).toHaveLength(4);
    }
  });

  it("grows a message's buffer as its frames come: a prefix announcing 32 MiB takes 64 KiB, not 32 MiB", () => {
    // A message larger than the first buffer, in pieces of every size: the same bytes as grpc-js's.
    const large = Buffer.concat([framed(randomBytes(3 * 1024 * 1024 + 17)), framed(randomBytes(10))]);
    for (const cuts of [[], [5], [1_048_580, 1_048_581], Array.from({ length: 60 }, (_, i) => i * 65_536 + 3)]) {
      expect(feed(callWithDecoder(-1).decoder, large, cuts)).toEqual(feed(new StreamDecoder(-1), large, cuts));
    }
    // Prefixes alone, as a client opening many streams sends them.
    const announced = framed(Buffer.alloc(0));
    announced.writeUInt32BE(32 * 1024 * 1024, 1);
    const before = process.memoryUsage().arrayBuffers;
    const calls = Array.from({ length: 64 }, () => callWithDecoder(-1));
    for (const call of calls) expect(call.decoder.write(announced)).toEqual([]);
    const taken = process.memoryUsage().arrayBuffers - before;
    expect(taken).toBeLessThan(64 * 128 * 1024);
  });

  it("refuses a message past the bound with grpc-js's own error, as soon as its prefix is read", () => {
    const stream = framed(randomBytes(1001));
    const expected = feed(new StreamDecoder(1000), stream, [3]);
    expect(expected).toBe("Received message larger than max (1001 vs 1000)");
    expect(feed(callWithDecoder(1000).decoder, stream, [3])).toBe(expected);
  });

  it("leaves a call object without grpc-js's decoder as it is", () => {
    const call = { decoder: { write: () => [] } };
    const { write } = call.decoder;
    copyFramesOnArrival(call);
    expect(call.decoder.write).toBe(write);
  });

  it("keeps none of a large message's frames while the call is served, and calls freePieces as it copies", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    /** The buffers the HTTP/2 session read the message's frames into. */
    const frames: WeakRef<ArrayBufferLike>[] = [];
    let freed = 0;
    let keptWhileServed = -1;
    const service = rawBytesService("/test.Frames/Export");
    const server = new Server({
      "grpc.max_receive_message_length": 16 * 1024 * 1024,
      interceptors: [
        (_method, call) => {
          copyFramesOnArrival(call, () => freed++);
          const decoder = (call as unknown as { decoder: { write(data: Buffer): Buffer[] } }).decoder;
          const write = decoder.write.bind(decoder);
          decoder.write = (data) => {
            frames.push(new WeakRef(data.buffer));
            return write(data);
          };
          return new ServerInterceptingCall(call);
        },
      ],
    });
    server.addService(service, {
      Export: (call: { request: Buffer }, answer: (error: null, value: Buffer) => void) => {
        setImmediate(() => {
          gc();
          keptWhileServed = frames.filter((frame) => frame.deref() !== undefined).length;
          answer(null, call.request.subarray(0, 64));
        });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    const client = exportClient(port, "test.Frames");
    try {
      const message = randomBytes(12 * 1024 * 1024);
      const { error, response } = await client.send(message);
      expect(error).toBeNull();
      expect(Buffer.from(response ?? []).equals(message.subarray(0, 64))).toBe(true);
      expect(frames.length).toBeGreaterThan(20);
      // The session keeps the buffer it read last into; none of the others is held.
      expect(keptWhileServed).toBeLessThanOrEqual(1);
      // About one call every 4 MiB copied.
      expect(freed).toBeGreaterThanOrEqual(2);
    } finally {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    }
  });
});
