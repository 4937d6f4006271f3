import { existsSync } from "node:fs";
import type { OtlpSignalPath } from "../otlp/protobuf/from-json.js";
import { createForwardThread } from "./forward-thread.js";
import { createPoster } from "./http-post.js";
import type { JsonForwardBody } from "./json-to-protobuf.js";
import {
  createForwardTarget,
  DEFAULT_FORWARD_TUNING,
  type ForwardEvent,
  type ForwardTarget,
  type ForwardTargetConfig,
  type ForwardTargetStatus,
  type ForwardTuning,
} from "./target.js";

/** What a receiver hands on: a protobuf body as received (inflated), or an OTLP/JSON one. */
export type ForwardBody = { protobuf: Uint8Array } | JsonForwardBody;

/**
 * The thread that writes JSON bodies as protobuf and gzips batches: built next to the bundle
 * (rolldown.config.mjs), and absent when running from the sources (see forward-thread.ts).
 */
export const FORWARD_WORKER_FILE = new URL("../forward-worker/forward-worker.js", import.meta.url);

/** What the OTLP receivers see of forwarding: they hand over each accepted request, after answering it. */
export interface ForwardSink {
  received(path: OtlpSignalPath, body: ForwardBody): void;
}

export interface Forwarder extends ForwardSink {
  status(): ForwardTargetStatus[];
  /** What close() would still try to send: batches queued or in flight, summed over the upstreams. */
  unsent(): { batches: number; bytes: number };
  /** How long close() keeps sending by default (`CLOSE_GRACE_MS`). */
  readonly closeGraceMs: number;
  /** Each upstream's queue bound (for saying why batches were dropped for a full queue). */
  readonly maxQueueBytes: number;
  /** Flushes for at most `graceMs` in all, then drops what is left; resolves to what was dropped. */
  close(graceMs?: number): Promise<ForwardStopDrops>;
}

export interface ForwarderEvents {
  event(event: ForwardEvent): void;
  /** A drop count, or the count of items the upstream rejected (partial success), changed (for the web app's notice). */
  dropsChanged(): void;
}

/** What stopping dropped: in all, and per upstream that lost any (by its URL, as the banner names it). */
export interface ForwardStopDrops {
  batches: number;
  bytes: number;
  targets: { url: string; batches: number; bytes: number }[];
}

/** How long close() keeps sending what is queued. */
export const CLOSE_GRACE_MS = 2000;

/**
 * Hands every accepted OTLP request on to each upstream target as OTLP/HTTP protobuf. Protobuf
 * bodies go as received; JSON bodies are written as protobuf, and batches gzipped, in a thread of low
 * priority (forward-thread.ts), or after the local answer was written, so forwarding never adds to an
 * export's time.
 */
export function createForwarder(
  targets: readonly ForwardTargetConfig[],
  events: ForwarderEvents,
  tuning: Partial<ForwardTuning> = {},
  workerFile: URL | null = existsSync(FORWARD_WORKER_FILE) ? FORWARD_WORKER_FILE : null,
): Forwarder {
  const settings: ForwardTuning = { ...DEFAULT_FORWARD_TUNING, ...tuning };
  const thread = createForwardThread(workerFile);
  const queues: ForwardTarget[] = targets.map((target) =>
    createForwardTarget(target, settings, events, createPoster(), (bytes) => thread.gzip(bytes)),
  );
  let closed = false;

  const hand = (path: OtlpSignalPath, bytes: Uint8Array) => {
    for (const queue of queues) queue.add(path, bytes);
  };

  return {
    received(path, body) {
      if (closed) return;
      if ("protobuf" in body) {
        hand(path, body.protobuf);
        return;
      }
      thread.encode(
        path,
        body,
        (bytes) => hand(path, bytes),
        (bytes) => {
          for (const queue of queues) queue.lost(bytes, "the forwarding thread fell behind");
        },
      );
    },
    status: () => queues.map((queue) => queue.status()),
    closeGraceMs: CLOSE_GRACE_MS,
    maxQueueBytes: settings.maxQueueBytes,
    unsent: () =>
      queues
        .map((queue) => queue.unsent())
        .reduce((sum, r) => ({ batches: sum.batches + r.batches, bytes: sum.bytes + r.bytes }), {
          batches: 0,
          bytes: 0,
        }),
    async close(graceMs = CLOSE_GRACE_MS) {
      closed = true;
      // One deadline for both steps: a stop waits at most `graceMs`, however the time is split.
      const deadline = Date.now() + graceMs;
      await thread.close(graceMs / 2);
      const left = Math.max(0, deadline - Date.now());
      const results = await Promise.all(queues.map((queue) => queue.close(left)));
      const dropped: ForwardStopDrops = { batches: 0, bytes: 0, targets: [] };
      results.forEach((result, i) => {
        if (result.batches === 0) return;
        dropped.batches += result.batches;
        dropped.bytes += result.bytes;
        dropped.targets.push({ url: targets[i]?.url ?? "", ...result });
      });
      return dropped;
    },
  };
}
