/**
 * An LLM call and the HTTP request that carries it are one call. An app traced by a GenAI
 * instrumentation sends a span for the call (`gen_ai.provider.name` / `gen_ai.system`: an LLM node
 * on the map) and, from its HTTP instrumentation, a CLIENT span for the request to the provider's
 * host. OpenTelemetry's GenAI instrumentations make the request the GenAI span's child and name the
 * provider's `server.address`; the TraceKit Node SDK starts the GenAI span without making it current,
 * so the request is its sibling, inside its time, and names no address. Either way the request is the
 * call's transport, not a second call: the map and `peer=` count the LLM call alone. Pure.
 */
import { addressOf, type PeerAddress, portText } from "./peer-address.js";
import type { Peer } from "./service-map.js";
import type { Attributes } from "./span.js";

/** A span that calls something, as the rule reads it (times in milliseconds; `service` any id of it). */
export interface TimedCall<S> {
  spanId: string;
  parentSpanId: string | null;
  service: S;
  startMs: number;
  endMs: number;
  /**
   * An LLM call's: the server its span names (llmServerOf), or null. An HTTP request's: the host it
   * goes to (requestHostOf), or null when it names its callee by `peer.service` alone.
   */
  host: string | null;
  /** The port of `host`, when known. */
  port: string | null;
}

/** The server a GenAI span names (`server.address`, `server.port`), or null. */
export function llmServerOf(attributes: Attributes): PeerAddress | null {
  const value = attributes["server.address"];
  const address = typeof value === "string" ? addressOf(value.trim()) : undefined;
  if (address === undefined) return null;
  return { host: address.host, port: address.port ?? portText(attributes["server.port"]) };
}

/** The host a call to an outside peer goes to (see service-map.ts peerOf), or null. */
function requestHostOf(peer: Peer): string | null {
  return peer.kind === "external" && peer.host ? peer.name : null;
}

/**
 * A TimedCall's `host` and `port` for a span calling `peer` with `attributes`: an LLM call's server
 * (llmServerOf), an outside peer's host (requestHostOf) and port; nulls for what is not known.
 */
export function callAddressOf(peer: Peer, attributes: Attributes): Pick<TimedCall<unknown>, "host" | "port"> {
  if (peer.kind === "llm") {
    const server = llmServerOf(attributes);
    return { host: server?.host ?? null, port: server?.port ?? null };
  }
  return { host: requestHostOf(peer), port: peer.kind === "external" ? peer.port : null };
}

/**
 * How far a request may start before or end after the LLM call it carries: SDKs stamp spans to the
 * millisecond (the TraceKit Node SDK's GenAI span and its request start in the same one).
 */
const SLACK_MS = 1;

/**
 * Whether an HTTP request (a span calling an outside host) is the transport of an LLM call: both of
 * one service; the request the LLM call's child, or its sibling (same parent) within its time; and,
 * when the LLM call names its server, sent to that host (and port, when both say one). A sibling to
 * another host than the named one, or one that outlasts the LLM call, is a call of its own.
 */
export function carriesLlmCall<S>(request: TimedCall<S>, llm: TimedCall<S>): boolean {
  if (request.service !== llm.service || request.parentSpanId === null) return false;
  if (request.parentSpanId !== llm.spanId) {
    if (request.parentSpanId !== llm.parentSpanId) return false;
    if (request.startMs < llm.startMs - SLACK_MS || request.endMs > llm.endMs + SLACK_MS) return false;
  }
  if (llm.host === null) return true;
  if (request.host !== llm.host) return false;
  return llm.port === null || request.port === null || llm.port === request.port;
}
