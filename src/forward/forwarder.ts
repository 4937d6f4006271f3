import { encodeExportRequestFromJson, type OtlpSignalPath } from "../otlp/protobuf/from-json.js";
import {
  createForwardTarget,
  DEFAULT_FORWARD_TUNING,
  type ForwardEvent,
  type ForwardTarget,
  type ForwardTargetConfig,
  type ForwardTargetStatus,
  type ForwardTuning,
} from "./target.js";

/** What a receiver hands on: a protobuf body as received (inflated), or a parsed OTLP/JSON body. */
export type ForwardBody =
  | { protobuf: Uint8Array }
  | {
      json: unknown;
      /** The body carries OpenTelemetry API span kinds (the TraceKit SDKs' local-UI path). */
      apiSpanKinds: boolean;
    };

/** What the OTLP receivers see of forwarding: they hand over each accepted request, after answering it. */
export interface ForwardSink {
  received(path: OtlpSignalPath, body: ForwardBody): void;
}

export interface Forwarder extends ForwardSink {
  status(): ForwardTargetStatus[];
  /** Flushes for at most `graceMs`, then drops what is left; resolves to what was dropped. */
  close(graceMs?: number): Promise<{ batches: number; bytes: number }>;
}

export interface ForwarderEvents {
  event(event: ForwardEvent): void;
  /** A drop count changed (for the web app's notice). */
  dropsChanged(): void;
}

/** How long close() keeps sending what is queued. */
export const CLOSE_GRACE_MS = 2000;

/**
 * Hands every accepted OTLP request on to each upstream target as OTLP/HTTP protobuf. Protobuf
 * bodies go as received; JSON bodies are encoded to protobuf in a later turn of the event loop
 * (setImmediate), after the local answer was written, so forwarding never adds to an export's time.
 */
export function createForwarder(
  targets: readonly ForwardTargetConfig[],
  events: ForwarderEvents,
  tuning: Partial<ForwardTuning> = {},
): Forwarder {
  const settings: ForwardTuning = { ...DEFAULT_FORWARD_TUNING, ...tuning };
  const queues: ForwardTarget[] = targets.map((target) => createForwardTarget(target, settings, events));
  let pendingJson: { path: OtlpSignalPath; json: unknown; apiSpanKinds: boolean }[] = [];
  let encodeScheduled: NodeJS.Immediate | null = null;
  let closed = false;

  const hand = (path: OtlpSignalPath, bytes: Uint8Array) => {
    for (const queue of queues) queue.add(path, bytes);
  };
  const encodePending = () => {
    encodeScheduled = null;
    const batch = pendingJson;
    pendingJson = [];
    for (const item of batch) {
      hand(item.path, encodeExportRequestFromJson(item.path, item.json, { apiSpanKinds: item.apiSpanKinds }));
    }
  };

  return {
    received(path, body) {
      if (closed) return;
      if ("protobuf" in body) {
        hand(path, body.protobuf);
        return;
      }
      pendingJson.push({ path, json: body.json, apiSpanKinds: body.apiSpanKinds });
      encodeScheduled ??= setImmediate(encodePending);
    },
    status: () => queues.map((queue) => queue.status()),
    async close(graceMs = CLOSE_GRACE_MS) {
      if (encodeScheduled !== null) {
        clearImmediate(encodeScheduled);
        encodePending();
      }
      closed = true;
      const results = await Promise.all(queues.map((queue) => queue.close(graceMs)));
      return results.reduce((sum, r) => ({ batches: sum.batches + r.batches, bytes: sum.bytes + r.bytes }), {
        batches: 0,
        bytes: 0,
      });
    },
  };
}
