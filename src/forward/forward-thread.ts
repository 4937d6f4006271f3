import { Worker } from "node:worker_threads";
import type { OtlpSignalPath } from "../otlp/protobuf/from-json.js";
import type { ForwardWorkerAnswer, ForwardWorkerRequest } from "./forward-worker.js";
import { gzipInPool } from "./gzip.js";
import { type JsonForwardBody, protobufOf } from "./json-to-protobuf.js";

/** JSON bytes handed to the forwarding thread at a time: enough to keep it busy, the rest waits here. */
const JSON_IN_FLIGHT_BYTES = 4 * 1024 * 1024;
/** JSON bytes waiting for the forwarding thread, past which the oldest are dropped. */
export const MAX_WAITING_JSON_BYTES = 32 * 1024 * 1024;
/** Batches handed to the forwarding thread to gzip, past which Node's thread pool gzips them. */
const MAX_GZIP_IN_FLIGHT_BYTES = 32 * 1024 * 1024;

/**
 * Where forwarding does its heavy work, off the path of the exports that brought it: writing OTLP/JSON
 * bodies as protobuf, and gzipping batches. In a thread of its own when its file is there
 * (`forward-worker.ts`, built into `dist/forward-worker/`), at a low priority, so forwarding costs
 * the receiving thread a copy of the bytes and, on a busy machine, takes idle time rather than the
 * receiver's. JSON bodies wait here for their turn in that thread; past `MAX_WAITING_JSON_BYTES` the
 * oldest are dropped (`lost`, counted by the targets as a full queue) rather than encoded here, and a
 * batch the thread is too busy to take is gzipped in Node's thread pool. Without the thread (running
 * from the sources, or after it failed): JSON in a later turn of this thread, gzip in the pool.
 */
export interface ForwardThread {
  /**
   * Encodes `body` as protobuf; `done` gets the bytes. A body that cannot be encoded is dropped; one
   * dropped because the thread is too far behind (the oldest first) is told to `lost` with its size.
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

export function createForwardThread(
  workerFile: URL | null,
  maxWaitingJsonBytes = MAX_WAITING_JSON_BYTES,
): ForwardThread {
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
  let jsonInWorker = 0;
  let gzipInWorker = 0;
  const waiting = new Map<number, Pending>();
  /** JSON bodies not handed to the thread yet, oldest first (from `heldFrom` on; the slots before are emptied). */
  let held: (PendingJson | undefined)[] = [];
  let heldFrom = 0;
  let heldBytes = 0;
  let idle: (() => void) | null = null;

  /** The oldest held JSON body, taken out (its slot emptied, so a dropped body's bytes can be collected). */
  const nextHeld = (): PendingJson => {
    const item = held[heldFrom] as PendingJson;
    held[heldFrom++] = undefined;
    heldBytes -= sizeOf(item);
    if (heldFrom === held.length) {
      held = [];
      heldFrom = 0;
    } else if (heldFrom >= 1024 && heldFrom * 2 >= held.length) {
      held = held.slice(heldFrom);
      heldFrom = 0;
    }
    return item;
  };
  /** Every held JSON body, taken out. */
  const takeHeld = (): PendingJson[] => {
    const items = held.slice(heldFrom) as PendingJson[];
    held = [];
    heldFrom = 0;
    heldBytes = 0;
    return items;
  };
  const giveUp = () => {
    failed = true;
    worker = null;
    jsonInWorker = 0;
    gzipInWorker = 0;
    const orphans = [...waiting.values(), ...takeHeld()];
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
        if (item.kind === "json") jsonInWorker -= sizeOf(item);
        else gzipInWorker -= sizeOf(item);
        pump();
        if (item.kind === "gzip") {
          if (answer.bytes === null) item.reject(new Error("could not gzip the batch"));
          else item.resolve(answer.bytes);
        } else if (answer.bytes !== null) {
          item.done(answer.bytes);
        }
        if (waiting.size === 0 && heldBytes === 0) idle?.();
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

  /** Posts `item` to the running thread (a copy of its bytes, transferred). */
  const post = (thread: Worker, item: Pending) => {
    const id = nextId++;
    waiting.set(id, item);
    // A copy of its own to transfer: the bytes may share their memory with other buffers, and the
    // caller keeps its own (a body goes to every upstream).
    let request: ForwardWorkerRequest;
    if (item.kind === "json") {
      jsonInWorker += sizeOf(item);
      const json = new Uint8Array(item.body.json);
      request = { id, kind: "json", path: item.path, json, apiSpanKinds: item.body.apiSpanKinds };
      thread.postMessage(request, [json.buffer]);
    } else {
      gzipInWorker += sizeOf(item);
      const bytes = new Uint8Array(item.bytes);
      request = { id, kind: "gzip", bytes };
      thread.postMessage(request, [bytes.buffer]);
    }
  };
  /** Hands held JSON bodies to the thread while it has fewer than JSON_IN_FLIGHT_BYTES of them. */
  const pump = () => {
    while (worker !== null && heldFrom < held.length && jsonInWorker < JSON_IN_FLIGHT_BYTES) post(worker, nextHeld());
  };
  /** The running thread, started on first use; null when there is none. */
  const thread = (): Worker | null => {
    if (failed || closing || workerFile === null) return null;
    worker ??= start(workerFile);
    return worker;
  };

  const submitJson = (item: PendingJson) => {
    if (thread() === null) {
      doHere(item);
      return;
    }
    held.push(item);
    heldBytes += sizeOf(item);
    // Behind: the oldest waiting bodies go. Encoding them here would take the receiving thread's time,
    // which forwarding must not.
    while (heldBytes > maxWaitingJsonBytes && heldFrom < held.length) {
      const oldest = nextHeld();
      oldest.lost?.(sizeOf(oldest));
    }
    pump();
  };
  const submitGzip = (item: PendingGzip) => {
    const running = thread();
    if (running === null || gzipInWorker + sizeOf(item) > MAX_GZIP_IN_FLIGHT_BYTES) doHere(item);
    else post(running, item);
  };

  return {
    encode(path, body, done, lost) {
      submitJson({ kind: "json", path, body, done, lost });
    },
    gzip(bytes) {
      return new Promise((resolve, reject) => submitGzip({ kind: "gzip", bytes, resolve, reject }));
    },
    async close(graceMs) {
      closing = true;
      if (waiting.size > 0 || heldBytes > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs);
          idle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      // What the thread did not finish in time is done here: the queues still get their grace.
      const unfinished = [...waiting.values(), ...takeHeld()];
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
