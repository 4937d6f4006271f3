import { parseOtlpJson } from "../otlp/json/parse.js";
import { transcodeTraceRequestJson } from "../otlp/json/transcode-traces.js";
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

/** What a receiver hands on: a protobuf body as received (inflated), or an OTLP/JSON one. */
export type ForwardBody =
  | { protobuf: Uint8Array }
  | {
      /** The JSON body as received (inflated). */
      json: Uint8Array;
      /** The same body parsed, when the receiver parsed it whole; else it is read from its bytes. */
      parsed?: unknown;
      /** The body carries OpenTelemetry API span kinds (the TraceKit SDKs' local-UI path). */
      apiSpanKinds: boolean;
    };

/**
 * A JSON body as protobuf. Trace bodies are written straight from their bytes when the transcoder
 * takes them (several times cheaper than a parse tree and its encoding); the rest are parsed first.
 */
function protobufOf(path: OtlpSignalPath, body: Extract<ForwardBody, { json: Uint8Array }>): Uint8Array {
  const options = { apiSpanKinds: body.apiSpanKinds };
  if (path === "/v1/traces" && body.parsed === undefined) {
    const transcoded = transcodeTraceRequestJson(body.json, options);
    if (transcoded !== null) return transcoded.bytes;
  }
  return encodeExportRequestFromJson(path, body.parsed ?? parseOtlpJson(body.json), options);
}

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
 * bodies go as received; JSON bodies are written as protobuf in a later turn of the event loop
 * (setImmediate), after the local answer was written, so forwarding never adds to an export's time.
 */
export function createForwarder(
  targets: readonly ForwardTargetConfig[],
  events: ForwarderEvents,
  tuning: Partial<ForwardTuning> = {},
): Forwarder {
  const settings: ForwardTuning = { ...DEFAULT_FORWARD_TUNING, ...tuning };
  const queues: ForwardTarget[] = targets.map((target) => createForwardTarget(target, settings, events));
  let pendingJson: { path: OtlpSignalPath; body: Extract<ForwardBody, { json: Uint8Array }> }[] = [];
  let encodeScheduled: NodeJS.Immediate | null = null;
  let closed = false;

  const hand = (path: OtlpSignalPath, bytes: Uint8Array) => {
    for (const queue of queues) queue.add(path, bytes);
  };
  const encodePending = () => {
    encodeScheduled = null;
    const batch = pendingJson;
    pendingJson = [];
    for (const item of batch) hand(item.path, protobufOf(item.path, item.body));
  };

  return {
    received(path, body) {
      if (closed) return;
      if ("protobuf" in body) {
        hand(path, body.protobuf);
        return;
      }
      pendingJson.push({ path, body });
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
