/**
 * What each span of a whole trace calls, by the service map's rule (ServiceTraffic, service-map.ts):
 * a span calls the service of each child span in another service; a span none of whose children is
 * in another service, and none a SERVER span of its own service (a request its own service answered:
 * an app calling itself by its address), calls the peer it names by its own word (calledPeerOf: a CLIENT / PRODUCER span,
 * or a TraceKit SDK's INTERNAL span naming a database, cache, queue or LLM; named by peerName), unless
 * that peer is its own service, or it is the HTTP request that carries an LLM call (llm-transport.ts:
 * one call, to the LLM). A request told twice (two SERVER spans of one service under the
 * span, see same-request.ts) is one call to that service either way. What `peer=` compares, so the
 * map's edge A → B lists the traces where a span of A calls B. Pure.
 */
import { callAddressOf, carriesLlmCall, type TimedCall } from "./llm-transport.js";
import { type CallSpan, calledPeerOf, type Peer, type PeerNames, peerName } from "./service-map.js";
import type { Span } from "./span.js";

/** What the rule reads of a span. */
export type CallingSpan = Pick<Span, "spanId" | "parentSpanId" | "service" | "startTimeUnixNano" | "endTimeUnixNano"> &
  CallSpan;

/**
 * A trace's spans with what each says it calls (`peers[i]` is calledPeerOf(`spans[i]`)), for a
 * reader that knows it already: it may then give the attributes only of spans that call a peer.
 */
export interface PeeredSpans {
  readonly spans: readonly CallingSpan[];
  readonly peers: readonly (Peer | null)[];
}

/**
 * The names of the nodes each span of `spans` (one whole trace) calls, in the order of `spans`:
 * undefined for a span that calls nothing. Names are the map's: a service's, or a peer's as named by
 * `names` and TraceKit's host rules. `peers`: calledPeerOf of each span, when known.
 */
export function calleesOfSpans(
  spans: readonly CallingSpan[],
  names?: PeerNames,
  peers?: readonly (Peer | null)[],
): (readonly string[] | undefined)[] {
  const out: (string[] | undefined)[] = new Array(spans.length);
  const indexOf = spanIndex(spans);
  const add = (i: number, name: string) => {
    const list = out[i];
    if (list === undefined) out[i] = [name];
    else if (!list.includes(name)) list.push(name);
  };
  /**
   * Spans a request of their own service answered (an app calling itself by its address): no peer
   * call. Not a CONSUMER of its own queue: the queue between them sends no spans, and stays a node.
   */
  let callsItself: Set<number> | null = null;
  for (const span of spans) {
    if (span.parentSpanId === null) continue;
    const parent = indexOf(span.parentSpanId);
    if (parent < 0) continue;
    if ((spans[parent] as CallingSpan).service !== span.service) add(parent, span.service);
    else if (span.kind === "SERVER") {
      callsItself ??= new Set();
      callsItself.add(parent);
    }
  }
  const called: (Peer | null)[] = new Array(spans.length);
  let llmCalls: TimedCall<string>[] | null = null;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i] as CallingSpan;
    // A call whose callee sent spans of its own is that callee's edge (above), not a call to a peer;
    // as an LLM call it still carries its request (as ServiceTraffic reads it).
    const peer = peers === undefined ? calledPeerOf(span) : (peers[i] as Peer | null);
    called[i] = out[i] === undefined && callsItself?.has(i) !== true ? peer : null;
    if (peer?.kind === "llm") {
      llmCalls ??= [];
      llmCalls.push(timedCall(span, peer));
    }
  }
  for (let i = 0; i < spans.length; i++) {
    const peer = called[i];
    if (peer === null || peer === undefined) continue;
    const span = spans[i] as CallingSpan;
    // The HTTP request of an LLM call is that call (llm-transport.ts), not a second one.
    if (peer.kind === "external" && llmCalls !== null) {
      const request = timedCall(span, peer);
      if (llmCalls.some((llm) => carriesLlmCall(request, llm))) continue;
    }
    const name = peerName(peer, names);
    if (name !== span.service) add(i, name);
  }
  return out;
}

function timedCall(span: CallingSpan, peer: Peer): TimedCall<string> {
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    service: span.service,
    startMs: Number(span.startTimeUnixNano) / 1e6,
    endMs: Number(span.endTimeUnixNano) / 1e6,
    ...callAddressOf(peer, span.attributes),
  };
}

/** A trace's spans this few are found by a scan; more, by a Map. */
const SCAN_SPANS = 16;

/** The index of the first span of `spans` with an id, or -1. */
function spanIndex(spans: readonly CallingSpan[]): (id: string) => number {
  if (spans.length <= SCAN_SPANS) return (id) => spans.findIndex((span) => span.spanId === id);
  const byId = new Map<string, number>();
  for (let i = 0; i < spans.length; i++) {
    const id = (spans[i] as CallingSpan).spanId;
    if (!byId.has(id)) byId.set(id, i);
  }
  return (id) => byId.get(id) ?? -1;
}

/** The caller and callee of one of a trace's calls, as one text (see callPairsOf). */
export function callPair(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

/**
 * Every caller service → callee pair of a trace's calls (callPair texts), each once: the trace's edges
 * on the map. `peers`: calledPeerOf of each span, when known (see PeeredSpans).
 */
export function callPairsOf(
  spans: readonly CallingSpan[],
  names?: PeerNames,
  peers?: readonly (Peer | null)[],
): string[] {
  const callees = calleesOfSpans(spans, names, peers);
  const pairs: string[] = [];
  for (let i = 0; i < spans.length; i++) {
    const list = callees[i];
    if (list === undefined) continue;
    const from = (spans[i] as CallingSpan).service;
    for (const to of list) {
      const pair = callPair(from, to);
      if (!pairs.includes(pair)) pairs.push(pair);
    }
  }
  return pairs;
}
