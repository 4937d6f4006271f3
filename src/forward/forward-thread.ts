import { Worker } from "node:worker_threads";
import type { OtlpSignalPath } from "../otlp/protobuf/from-json.js";
import type { ForwardWorkerAnswer, ForwardWorkerRequest } from "./forward-worker.js";
import { gzipInPool } from "./gzip.js";
import { type JsonForwardBody, protobufOf } from "./json-to-protobuf.js";

/** Bytes handed to the forwarding thread and not yet back, above which work is done here instead. */
export const MAX_IN_WORKER_BYTES = 32 * 1024 * 1024;

/**
 * Where forwarding does its heavy work, off the path of the exports that brought it: writing OTLP/JSON
 * bodies as protobuf, and gzipping batches. In a thread of its own when its file is there
 * (`forward-worker.ts`, built into `dist/forward-worker/`), at the lowest priority, so forwarding costs
 * the receiving thread a copy of the bytes and, on a busy machine, takes idle time rather than the
 * receiver's. While more than `MAX_IN_WORKER_BYTES` wait for that thread, a JSON body is dropped
 * (`lost`, counted by the targets as a full queue) rather than encoded here, and a batch is gzipped in
 * Node's thread pool. Without the thread (running from the sources, or after it failed): JSON in a
 * later turn of this thread, gzip in Node's thread pool.
 */
export interface ForwardThread {
  /**
   * Encodes `body` as protobuf; `done` gets the bytes. A body that cannot be encoded is dropped; one
   * the thread is too far behind to take is dropped too, and `lost` told its size.
   */
  encode(
    path: OtlpSignalPath,
    body: JsonForwardBody,
    done: (bytes: Uint8Array) => void,
    lost?: (bytes: number) => void,
  ): void;
  /** `bytes` gzipped (left as they are). */
  gzip(bytes: Uint8Array): Promise<Uint8Array>;
  /** Finishes what was handed over (waiting at most `graceMs` for the thread), then stops it. */
  close(graceMs: number): Promise<void>;
  /** Whether work goes to the thread now (false before the first piece, or after a failure). */
  inThread(): boolean;
}

interface PendingJson {
  kind: "json";
  path: OtlpSignalPath;
  body: JsonForwardBody;
  done: (bytes: Uint8Array) => void;
  lost?: (bytes: number) => void;
}

interface PendingGzip {
  kind: "gzip";
  bytes: Uint8Array;
  resolve(bytes: Uint8Array): void;
  reject(error: Error): void;
}

type Pending = PendingJson | PendingGzip;

const sizeOf = (item: Pending) => (item.kind === "json" ? item.body.json.byteLength : item.bytes.byteLength);

export function createForwardThread(workerFile: URL | null, maxInWorkerBytes = MAX_IN_WORKER_BYTES): ForwardThread {
  // In this thread: JSON bodies wait for the turn after the one that answered their export.
  let later: PendingJson[] = [];
  let laterScheduled: NodeJS.Immediate | null = null;
  const encodeLater = () => {
    laterScheduled = null;
    const batch = later;
    later = [];
    for (const item of batch) encodeHere(item);
  };
  const doHere = (item: Pending) => {
    if (item.kind === "gzip") {
      gzipInPool(item.bytes).then(item.resolve, item.reject);
      return;
    }
    later.push(item);
    laterScheduled ??= setImmediate(encodeLater);
  };

  // In the forwarding thread: started on the first piece of work, given up for good on any failure.
  let worker: Worker | null = null;
  let failed = workerFile === null;
  let closing = false;
  let nextId = 0;
  let inWorkerBytes = 0;
  const waiting = new Map<number, Pending>();
  let idle: (() => void) | null = null;

  const giveUp = () => {
    failed = true;
    worker = null;
    inWorkerBytes = 0;
    const orphans = [...waiting.values()];
    waiting.clear();
    for (const item of orphans) doHere(item);
    idle?.();
  };
  const start = (file: URL): Worker | null => {
    try {
      const started = new Worker(file);
      started.unref();
      started.on("message", (answer: ForwardWorkerAnswer) => {
        const item = waiting.get(answer.id);
        if (item === undefined) return;
        waiting.delete(answer.id);
        inWorkerBytes -= sizeOf(item);
        if (item.kind === "gzip") {
          if (answer.bytes === null) item.reject(new Error("could not gzip the batch"));
          else item.resolve(answer.bytes);
        } else if (answer.bytes !== null) {
          item.done(answer.bytes);
        }
        if (waiting.size === 0) idle?.();
      });
      started.on("error", giveUp);
      started.on("exit", () => {
        if (!closing) giveUp();
      });
      return started;
    } catch {
      failed = true;
      return null;
    }
  };

  /** Hands `item` to the thread, or does it here when the thread cannot take it. */
  const submit = (item: Pending) => {
    if (failed || closing || workerFile === null) {
      doHere(item);
      return;
    }
    if (worker !== null && inWorkerBytes + sizeOf(item) > maxInWorkerBytes) {
      // Behind: encoding here would take the receiving thread's time, which forwarding must not.
      if (item.kind === "json") item.lost?.(sizeOf(item));
      else doHere(item);
      return;
    }
    worker ??= start(workerFile);
    if (worker === null) {
      doHere(item);
      return;
    }
    const id = nextId++;
    waiting.set(id, item);
    inWorkerBytes += sizeOf(item);
    // A copy of its own to transfer: the bytes may share their memory with other buffers, and the
    // caller keeps its own (a body goes to every upstream).
    let request: ForwardWorkerRequest;
    if (item.kind === "json") {
      const json = new Uint8Array(item.body.json);
      request = { id, kind: "json", path: item.path, json, apiSpanKinds: item.body.apiSpanKinds };
      worker.postMessage(request, [json.buffer]);
    } else {
      const bytes = new Uint8Array(item.bytes);
      request = { id, kind: "gzip", bytes };
      worker.postMessage(request, [bytes.buffer]);
    }
  };

  return {
    encode(path, body, done, lost) {
      submit({ kind: "json", path, body, done, lost });
    },
    gzip(bytes) {
      return new Promise((resolve, reject) => submit({ kind: "gzip", bytes, resolve, reject }));
    },
    async close(graceMs) {
      closing = true;
      if (waiting.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs);
          idle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      // What the thread did not finish in time is done here: the queues still get their grace.
      const unfinished = [...waiting.values()];
      waiting.clear();
      await worker?.terminate();
      worker = null;
      for (const item of unfinished) {
        if (item.kind === "json") encodeHere(item);
        else doHere(item);
      }
      if (laterScheduled !== null) {
        clearImmediate(laterScheduled);
        encodeLater();
      }
    },
    inThread: () => worker !== null && !failed,
  };
}

function encodeHere(item: PendingJson): void {
  let bytes: Uint8Array;
  try {
    bytes = protobufOf(item.path, item.body);
  } catch {
    // Accepted here means decodable; a body the encoder still refuses is not forwarded.
    return;
  }
  item.done(bytes);
}
