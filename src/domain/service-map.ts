/**
 * Which service calls which: nodes are services (resource `service.name`) and the things they call
 * that send no spans of their own (databases, caches, queues, LLM providers, other hosts), edges the
 * calls between them with rate, errors and latency. Pure; the server feeds it whole traces.
 */
import { percentile } from "./percentile.js";
import type { Span } from "./span.js";
import { durationMs } from "./time.js";

export type MapNodeKind = "service" | "database" | "cache" | "queue" | "llm" | "external";

export interface MapNode {
  id: string;
  name: string;
  kind: MapNodeKind;
  /** Spans that entered a service (SERVER / CONSUMER spans, and roots), or calls into another node. */
  calls: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
}

export interface MapEdge {
  from: string;
  to: string;
  calls: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
}

export interface ServiceMap {
  nodes: MapNode[];
  edges: MapEdge[];
}

const CACHES = new Set(["redis", "memcached", "valkey", "hazelcast", "aerospike"]);

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** The host of a URL or "host:port", lower case, without port or credentials; undefined when there is none. */
function hostOf(value: string): string | undefined {
  let host = value;
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) host = new URL(value).hostname;
  } catch {
    return undefined;
  }
  host = host
    .replace(/^\[|\]$/g, "")
    .replace(/:\d+$/, "")
    .toLowerCase();
  return host === "" ? undefined : host;
}

/**
 * A peer's name from its host, by TraceKit's rules: `payment-service` stays, `payment.internal` and
 * `payment.svc.cluster.local` become `payment`, a public name (`api.example.com`) or an IP stays whole.
 */
export function peerNameOfHost(host: string): string {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":")) return host;
  const internal =
    /^([^.]+)\.(?:[^.]+\.)*(?:internal|local|svc|svc\.cluster\.local|cluster\.local|localdomain|lan)$/.exec(host);
  return internal ? (internal[1] as string) : host;
}

/** What a CLIENT / PRODUCER span calls when no span of the callee arrived: a node of its own kind, or null. */
export function calleeOf(span: Span): { name: string; kind: MapNodeKind } | null {
  const a = span.attributes;
  const llm = text(a["gen_ai.provider.name"]) ?? text(a["gen_ai.system"]);
  if (llm !== undefined) return { name: llm, kind: "llm" };
  const db = text(a["db.system.name"]) ?? text(a["db.system"]);
  if (db !== undefined) {
    const kind = CACHES.has(db.toLowerCase()) ? "cache" : "database";
    const namespace = text(a["db.namespace"]) ?? text(a["db.name"]);
    return { name: namespace ? `${db} ${namespace}` : db, kind };
  }
  const messaging = text(a["messaging.system"]);
  if (messaging !== undefined) {
    const destination = text(a["messaging.destination.name"]) ?? text(a["messaging.destination"]);
    return { name: destination ? `${messaging} ${destination}` : messaging, kind: "queue" };
  }
  const peer = text(a["peer.service"]);
  if (peer !== undefined) return { name: peer, kind: "external" };
  for (const key of ["server.address", "net.peer.name", "url.full", "http.url", "http.host"]) {
    const value = text(a[key]);
    const host = value === undefined ? undefined : hostOf(value);
    if (host !== undefined) return { name: peerNameOfHost(host), kind: "external" };
  }
  return null;
}

interface Tally {
  calls: number;
  errors: number;
  durations: number[];
}

function tally(map: Map<string, Tally>, key: string, span: Span): void {
  let entry = map.get(key);
  if (entry === undefined) {
    entry = { calls: 0, errors: 0, durations: [] };
    map.set(key, entry);
  }
  entry.calls++;
  if (span.status.code === "ERROR") entry.errors++;
  entry.durations.push(durationMs(span.startTimeUnixNano, span.endTimeUnixNano));
}

function stats(entry: Tally): { calls: number; errors: number; p50Ms: number; p95Ms: number } {
  entry.durations.sort((x, y) => x - y);
  return {
    calls: entry.calls,
    errors: entry.errors,
    p50Ms: percentile(entry.durations, 50),
    p95Ms: percentile(entry.durations, 95),
  };
}

const serviceId = (name: string) => `service:${name}`;

/** The map of whole traces (each a list of its spans). */
export function buildServiceMap(traces: Iterable<readonly Span[]>): ServiceMap {
  const nodeKinds = new Map<string, { name: string; kind: MapNodeKind }>();
  const nodeTallies = new Map<string, Tally>();
  const edgeTallies = new Map<string, Tally>();
  const edgeEnds = new Map<string, [string, string]>();
  // A service that sends spans is a service, even where an earlier call named it as an outside host.
  const addNode = (id: string, name: string, kind: MapNodeKind) => {
    if (kind === "service" || !nodeKinds.has(id)) nodeKinds.set(id, { name, kind });
  };
  const addEdge = (from: string, to: string, span: Span) => {
    const key = `${from}\u0000${to}`;
    edgeEnds.set(key, [from, to]);
    tally(edgeTallies, key, span);
  };

  for (const spans of traces) {
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const crossChildren = new Set<string>();
    for (const span of spans) {
      const parent = span.parentSpanId === null ? undefined : byId.get(span.parentSpanId);
      if (parent !== undefined && parent.service !== span.service) crossChildren.add(parent.spanId);
    }
    for (const span of spans) {
      const id = serviceId(span.service);
      addNode(id, span.service, "service");
      const parent = span.parentSpanId === null ? undefined : byId.get(span.parentSpanId);
      const entry =
        parent === undefined || parent.service !== span.service || span.kind === "SERVER" || span.kind === "CONSUMER";
      if (entry) tally(nodeTallies, id, span);
      if (parent !== undefined && parent.service !== span.service) addEdge(serviceId(parent.service), id, span);
      // A call out whose callee sent no span of its own: the callee is a node inferred from the call.
      if ((span.kind === "CLIENT" || span.kind === "PRODUCER") && !crossChildren.has(span.spanId)) {
        const callee = calleeOf(span);
        if (callee !== null && callee.name !== span.service) {
          const calleeId = callee.kind === "external" ? serviceId(callee.name) : `${callee.kind}:${callee.name}`;
          addNode(calleeId, callee.name, callee.kind);
          tally(nodeTallies, calleeId, span);
          addEdge(id, calleeId, span);
        }
      }
    }
  }

  const nodes: MapNode[] = [...nodeKinds].map(([id, { name, kind }]) => {
    const entry = nodeTallies.get(id);
    return { id, name, kind, ...(entry ? stats(entry) : { calls: 0, errors: 0, p50Ms: 0, p95Ms: 0 }) };
  });
  nodes.sort((x, y) => x.id.localeCompare(y.id));
  const edges: MapEdge[] = [...edgeTallies].map(([key, entry]) => {
    const [from, to] = edgeEnds.get(key) as [string, string];
    return { from, to, ...stats(entry) };
  });
  edges.sort((x, y) => x.from.localeCompare(y.from) || x.to.localeCompare(y.to));
  return { nodes, edges };
}
