import { Worker } from "node:worker_threads";
import type { OtlpSignalPath } from "../otlp/protobuf/from-json.js";
import { type JsonForwardBody, protobufOf } from "./json-to-protobuf.js";
import type { JsonWorkerAnswer, JsonWorkerRequest } from "./json-worker.js";

/** JSON bytes handed to the encoding thread and not yet back, above which bodies are encoded here. */
export const MAX_IN_WORKER_BYTES = 32 * 1024 * 1024;

/**
 * Writes forwarded OTLP/JSON bodies as protobuf, off the path of the export that brought them: in a
 * thread of its own when its file is there (`json-worker.ts`, built into `dist/forward-worker/`), so
 * forwarding JSON costs the receiving thread a copy of the bytes and nothing else; in a later turn of
 * this thread otherwise (running from the sources), when the thread failed, or while more than
 * `MAX_IN_WORKER_BYTES` wait for it.
 */
export interface JsonEncoder {
  /** Encodes `body`; `done` gets the protobuf bytes. A body that cannot be encoded is dropped. */
  encode(path: OtlpSignalPath, body: JsonForwardBody, done: (bytes: Uint8Array) => void): void;
  /** Finishes what was handed over (waiting at most `graceMs` for the thread), then stops it. */
  close(graceMs: number): Promise<void>;
  /** Whether bodies go to the encoding thread now (false before the first one, or after a failure). */
  inThread(): boolean;
}

interface Pending {
  path: OtlpSignalPath;
  body: JsonForwardBody;
  done: (bytes: Uint8Array) => void;
}

export function createJsonEncoder(workerFile: URL | null): JsonEncoder {
  // In this thread: bodies wait for the turn after the one that answered their export.
  let later: Pending[] = [];
  let laterScheduled: NodeJS.Immediate | null = null;
  const encodeLater = () => {
    laterScheduled = null;
    const batch = later;
    later = [];
    for (const item of batch) encodeHere(item);
  };
  const queueHere = (item: Pending) => {
    later.push(item);
    laterScheduled ??= setImmediate(encodeLater);
  };

  // In the encoding thread: started on the first body, given up for good on any failure.
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
    for (const item of orphans) queueHere(item);
    idle?.();
  };
  const start = (file: URL): Worker | null => {
    try {
      const started = new Worker(file);
      started.unref();
      started.on("message", (answer: JsonWorkerAnswer) => {
        const item = waiting.get(answer.id);
        if (item === undefined) return;
        waiting.delete(answer.id);
        inWorkerBytes -= item.body.json.byteLength;
        if (answer.bytes !== null) item.done(answer.bytes);
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

  return {
    encode(path, body, done) {
      const item: Pending = { path, body, done };
      if (failed || closing || workerFile === null || inWorkerBytes + body.json.byteLength > MAX_IN_WORKER_BYTES) {
        queueHere(item);
        return;
      }
      worker ??= start(workerFile);
      if (worker === null) {
        queueHere(item);
        return;
      }
      const id = nextId++;
      waiting.set(id, item);
      inWorkerBytes += body.json.byteLength;
      // A copy of its own: the received bytes may share their memory with other buffers.
      const json = new Uint8Array(body.json);
      const request: JsonWorkerRequest = { id, path, json, apiSpanKinds: body.apiSpanKinds };
      worker.postMessage(request, [json.buffer]);
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
      // What the thread did not finish in time is encoded here: the queues still get their grace.
      const unfinished = [...waiting.values()];
      waiting.clear();
      await worker?.terminate();
      worker = null;
      for (const item of unfinished) encodeHere(item);
      if (laterScheduled !== null) {
        clearImmediate(laterScheduled);
        encodeLater();
      }
    },
    inThread: () => worker !== null && !failed,
  };
}

function encodeHere(item: Pending): void {
  let bytes: Uint8Array;
  try {
    bytes = protobufOf(item.path, item.body);
  } catch {
    // Accepted here means decodable; a body the encoder still refuses is not forwarded.
    return;
  }
  item.done(bytes);
}
