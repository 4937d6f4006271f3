// The thread forwarding does its heavy work in (see forward-thread.ts): OTLP/JSON bodies written as
// protobuf, batches gzipped. Built into a file of its own (`dist/forward-worker/`), with only the
// encoders in it. It runs at a low priority (nice 10: about a tenth of the share of a thread at the
// default), so that on a busy machine the time it takes comes mostly from idle time, not from the
// receiving thread's, yet other busy programs do not starve it.
import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { gzipSync } from "node:zlib";
import type { OtlpSignalPath } from "../otlp/protobuf/from-json.js";
import { GZIP_OPTIONS } from "./gzip.js";
import { protobufOf } from "./json-to-protobuf.js";

/** What the forwarding thread posts (the bytes are transferred, not copied). */
export type ForwardWorkerRequest =
  | { id: number; kind: "json"; path: OtlpSignalPath; json: Uint8Array; apiSpanKinds: boolean }
  | { id: number; kind: "gzip"; bytes: Uint8Array };

/** The protobuf or gzip bytes (transferred back), or null when the body could not be encoded (it is then not forwarded). */
export interface ForwardWorkerAnswer {
  id: number;
  bytes: Uint8Array | null;
}

/** The nice value of the forwarding thread (19 would be the lowest priority). */
export const FORWARD_THREAD_NICE = 10;

/**
 * Lowers this thread's priority. Linux gives each thread its own nice value, set by its id
 * (`/proc/thread-self`); elsewhere the thread keeps its priority and still works beside the receiving one.
 */
function lowerPriority(): void {
  try {
    const threadId = Number(readlinkSync("/proc/thread-self").split("/").pop());
    // Never above the process's own nice value (a process started with `nice` stays as low).
    if (Number.isInteger(threadId) && threadId > 0) {
      setPriority(threadId, Math.max(getPriority(threadId), FORWARD_THREAD_NICE));
    }
  } catch {
    // No /proc, or not allowed: the default priority.
  }
}

function answer(request: ForwardWorkerRequest): Uint8Array | null {
  try {
    if (request.kind === "gzip") return gzipSync(request.bytes, GZIP_OPTIONS);
    return protobufOf(request.path, { json: request.json, apiSpanKinds: request.apiSpanKinds });
  } catch {
    return null;
  }
}

if (parentPort !== null) {
  lowerPriority();
  const port = parentPort;
  port.on("message", (request: ForwardWorkerRequest) => {
    const encoded = answer(request);
    if (encoded === null) {
      port.postMessage({ id: request.id, bytes: null } satisfies ForwardWorkerAnswer);
      return;
    }
    // Only a buffer of its own can be transferred: a small one may share Node's pool with others.
    const bytes = encoded.byteLength === encoded.buffer.byteLength ? encoded : new Uint8Array(encoded);
    port.postMessage({ id: request.id, bytes } satisfies ForwardWorkerAnswer, [bytes.buffer as ArrayBuffer]);
  });
}
