import { randomBytes } from "node:crypto";
import { constants, gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { InflateError, InflatingReader } from "../../web/src/features/import/inflating-reader";

// Node's DecompressionStream inflates as its reader asks, and in a thread of its own, where a browser's
// inflates a whole piece of input at once (the page's test in Chromium checks that every whole line
// before a cut is imported): here the reader must not hang, must hand out the bytes in order, and must
// tell a failure to inflate from a failure to read the file.

/** Lines of hex noise (it compresses about 2:1, so a few MB of gzip is many pieces). */
function noise(lines: number): Buffer {
  return Buffer.from(
    Array.from({ length: lines }, (_, i) => `${i} ${randomBytes(1_500).toString("hex")}\n`).join(""),
    "utf8",
  );
}

/** A stream of `bytes` in pieces of `piece` bytes. */
function streamOf(bytes: Uint8Array, piece: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) controller.close();
      else {
        controller.enqueue(bytes.slice(at, at + piece));
        at += piece;
      }
    },
  });
}

/** Everything the reader hands out, and how it ended. */
async function readAll(reader: InflatingReader): Promise<{ bytes: Buffer; failure: unknown }> {
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) return { bytes: Buffer.concat(chunks), failure: null };
      chunks.push(next.value);
    }
  } catch (failure) {
    return { bytes: Buffer.concat(chunks), failure };
  }
}

describe("InflatingReader", () => {
  const text = noise(2_000);
  const gz = gzipSync(text);

  for (const piece of [4_096, 65_536, 4 * 1024 * 1024]) {
    it(`inflates a whole gzip given in pieces of ${piece} bytes, then ends`, async () => {
      const { bytes, failure } = await readAll(new InflatingReader(streamOf(gz, piece)));
      expect(failure).toBeNull();
      expect(bytes.equals(text)).toBe(true);
    });

    it(`hands out what inflates of a gzip cut short (pieces of ${piece}), in order, then fails to inflate`, async () => {
      const cut = gz.subarray(0, Math.floor((gz.length * 2) / 3));
      const readable = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH });
      expect(readable.length).toBeGreaterThan(text.length / 2);
      const { bytes, failure } = await readAll(new InflatingReader(streamOf(cut, piece)));
      expect(failure).toBeInstanceOf(InflateError);
      // What zlib inflates of it, but for what Node's thread had not handed over of the last piece
      // when the input ended (at most what one piece inflates to; a browser hands it over at once).
      expect(readable.subarray(0, bytes.length).equals(bytes)).toBe(true);
      expect(readable.length - bytes.length).toBeLessThanOrEqual(Math.max(piece * 4, 64 * 1024));
    });
  }

  it("fails to inflate what is not gzip", async () => {
    const { failure } = await readAll(new InflatingReader(streamOf(Buffer.from("\x1f\x8bnot gzip at all"), 64)));
    expect(failure).toBeInstanceOf(InflateError);
  });

  it("passes a failed read of the file on as it is, not as broken gzip", async () => {
    const reason = new Error("the file changed while it was read");
    let pieces = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pieces++ === 0) controller.enqueue(gz.subarray(0, 10_000));
        else controller.error(reason);
      },
    });
    const { failure } = await readAll(new InflatingReader(source));
    expect(failure).toBe(reason);
  });
});
