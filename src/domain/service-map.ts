/**
 * Which service calls which: nodes are services (resource `service.name`) and the things they call
 * that send no spans of their own (databases, caches, queues, LLM providers, other hosts), edges the
 * calls between them with rate, errors and latency. Pure; `ServiceTraffic` (service-traffic.ts) counts the calls span by span, `serviceMapOf` draws the map.
 */
import { Durations } from "./durations.js";
import { estimateFromExactMs } from "./latency-buckets.js";
import { ascending } from "./order.js";
import { addressOf, type PeerAddress, portText } from "./peer-address.js";
import { EDGE, ENTRY, ServiceTraffic, type TrafficTally } from "./service-traffic.js";
import type { InstrumentationScope, Span } from "./span.js";

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

/**
 * What a CLIENT / PRODUCER span calls, as the span names it: a database, cache, queue or LLM
 * provider by its system, or another host (`peer.service`, else the host and port of
 * `server.address` / `url.full` / …), whose name is decided later by `peerName` (user mappings
 * first, then TraceKit's host rules).
 */
export type Peer =
  | { kind: Exclude<MapNodeKind, "service" | "external">; name: string }
  /** `host`: a host name (and port) to name by the rules; else a name the span gave (`peer.service`). */
  | { kind: "external"; name: string; port: string | null; host: boolean };

/** `--service-name-mapping`: `host:port` or `host` (lower case) → service name. */
export type PeerNames = ReadonlyMap<string, string>;

const NO_PEER_NAMES: PeerNames = new Map();

/**
 * The last attributes `peerOf` read and what it found: the statistics and the service map ask about
 * the same span one after the other as it is stored (stored attributes are not changed afterwards).
 */
let lastAttributes: Span["attributes"] | null = null;
let lastPeer: Peer | null = null;

export function peerOf(span: Pick<Span, "attributes">): Peer | null {
  if (span.attributes !== lastAttributes) {
    lastPeer = peerOfAttributes(span.attributes);
    lastAttributes = span.attributes;
  }
  return lastPeer;
}

function peerOfAttributes(a: Span["attributes"]): Peer | null {
  const llm = text(a["gen_ai.provider.name"]) ?? text(a["gen_ai.system"]);
  if (llm !== undefined) return { name: llm, kind: "llm" };
  const db = text(a["db.system.name"]) ?? text(a["db.system"]);
  if (db !== undefined) {
    const kind = CACHES.has(db.toLowerCase()) ? "cache" : "database";
    const namespace = text(a["db.namespace"]) ?? text(a["db.name"]);
    if (!namespace) return { name: db, kind };
    // A number is a database index (Redis's 0-15), not a name: "redis db 0", not "redis 0".
    return { name: /^\d+$/.test(namespace) ? `${db} db ${namespace}` : `${db} ${namespace}`, kind };
  }
  const messaging = text(a["messaging.system"]);
  if (messaging !== undefined) {
    const destination = text(a["messaging.destination.name"]) ?? text(a["messaging.destination"]);
    return { name: destination ? `${messaging} ${destination}` : messaging, kind: "queue" };
  }
  const peer = text(a["peer.service"]);
  // A peer.service of "localhost" names no service (the TraceKit Node SDK falls back to the host when
  // its own mapping misses): the address below, port included, says more.
  if (peer !== undefined && !isLoopbackHost(peer.toLowerCase())) {
    return { name: peer, kind: "external", port: null, host: false };
  }
  const portAttribute = portText(a["server.port"] ?? a["net.peer.port"]);
  let first: PeerAddress | undefined;
  for (const key of ["server.address", "net.peer.name", "url.full", "http.url", "http.host"]) {
    const value = text(a[key]);
    const address = value === undefined ? undefined : addressOf(value);
    if (address === undefined) continue;
    if (first === undefined) {
      first = address;
      if (address.port !== null || portAttribute !== null) break;
    } else if (address.host === first.host && address.port !== null) {
      // A call that found nothing listening has no port attribute (Node's HTTP instrumentation writes
      // net.peer.port from the socket), but its URL still says which port of the host it called.
      return { name: first.host, kind: "external", port: address.port, host: true };
    }
  }
  if (first === undefined) return null;
  return { name: first.host, kind: "external", port: first.port ?? portAttribute, host: true };
}

/** This machine's own addresses: on a developer's laptop every local service is one of them. */
function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "0.0.0.0" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * A peer's node name: a user mapping of `host:port`, else of `host`, else TraceKit's host rules. A
 * loopback host keeps its port (`localhost:8082`): the local services a laptop runs differ by port only.
 */
export function peerName(peer: Peer, names: PeerNames = NO_PEER_NAMES): string {
  if (peer.kind !== "external") return peer.name;
  if (!peer.host) return names.get(peer.name) ?? peer.name;
  const host = peer.name;
  const mapped = (peer.port === null ? undefined : names.get(`${host}:${peer.port}`)) ?? names.get(host);
  if (mapped !== undefined) return mapped;
  if (peer.port !== null && isLoopbackHost(host))
    return host.includes(":") ? `[${host}]:${peer.port}` : `${host}:${peer.port}`;
  return peerNameOfHost(host);
}

/**
 * What deciding whether a span calls the peer it names reads of it: its kind, its tracer's name and its
 * attributes. A reader that knows a span's tracer is no TraceKit SDK's may leave `scope` out (the
 * SQLite store's rows: one more property on every span read cost a first `peer=` walk 15%).
 */
export type CallSpan = Pick<Span, "kind" | "attributes"> & { readonly scope?: Pick<InstrumentationScope, "name"> };

const TRACEKIT_SCOPE = /^(@tracekit\/|tracekit)/i;

/**
 * Whether a span's attributes may name what it calls, by its kind and its tracer alone: a CLIENT or
 * PRODUCER span, or an INTERNAL span of a TraceKit SDK's own tracer (`client.startSpan`, scope
 * `@tracekit/node-apm` or `tracekit…`), which the SDKs make INTERNAL whatever it does. A store reads
 * the attributes of no other span to find what spans call.
 */
export function mayNameCallee(kind: Span["kind"], scopeName: string): boolean {
  return kind === "CLIENT" || kind === "PRODUCER" || (kind === "INTERNAL" && TRACEKIT_SCOPE.test(scopeName));
}

/**
 * The one rule of what a span says it calls (the service map, `peer=`, the Services page's outgoing
 * calls): a CLIENT / PRODUCER span calls the peer it names (peerOf); a TraceKit SDK's INTERNAL span
 * calls it when that is a database, cache, queue or LLM (`db.system`…): the app's word that it called
 * one. Such a span naming only a host or URL is the app's own work, and other instrumentations'
 * INTERNAL spans with such attributes wrap a CLIENT span of their own. Null for every other span. A
 * span with a child in another service calls that service instead (ServiceTraffic, calleesOfSpans).
 */
export function calledPeerOf(span: CallSpan): Peer | null {
  if (span.kind === "CLIENT" || span.kind === "PRODUCER") return peerOf(span);
  if (span.scope === undefined || !mayNameCallee(span.kind, span.scope.name)) return null;
  const peer = peerOf(span);
  return peer !== null && peer.kind !== "external" ? peer : null;
}

/** What a CLIENT / PRODUCER span calls when no span of the callee arrived: a node of its own kind, or null. */
export function calleeOf(span: Span, names: PeerNames = NO_PEER_NAMES): { name: string; kind: MapNodeKind } | null {
  const peer = peerOf(span);
  return peer === null ? null : { name: peerName(peer, names), kind: peer.kind };
}

interface Group {
  calls: number;
  errors: number;
  durations: Durations[];
}

function addTo(groups: Map<string, Group>, id: string, entry: TrafficTally["keys"][number]): void {
  let group = groups.get(id);
  if (group === undefined) {
    group = { calls: 0, errors: 0, durations: [] };
    groups.set(id, group);
  }
  group.calls += entry.calls;
  group.errors += entry.errors;
  group.durations.push(entry.durations);
}

function stats(group: Group | undefined): { calls: number; errors: number; p50Ms: number; p95Ms: number } {
  if (group === undefined) return { calls: 0, errors: 0, p50Ms: 0, p95Ms: 0 };
  let all = group.durations[0] as Durations;
  if (group.durations.length > 1) {
    all = new Durations();
    for (const part of group.durations) all.addAll(part);
  }
  // Estimated as the Services page estimates from its histograms (latency-buckets.ts), from the exact
  // values: the same spans read the same p50 and p95 on both pages.
  const [minMs = 0, p50 = 0, p95 = 0, maxMs = 0] = all.percentiles([0, 50, 95, 100]);
  const p50Ms = all.count === 0 ? 0 : estimateFromExactMs(p50, minMs, maxMs);
  const p95Ms = all.count === 0 ? 0 : estimateFromExactMs(p95, minMs, maxMs);
  return { calls: group.calls, errors: group.errors, p50Ms, p95Ms };
}

const serviceId = (name: string) => `service:${name}`;

/** The map of what a ServiceTraffic counted, peers named by `names` and TraceKit's host rules. */
export function serviceMapOf(tally: TrafficTally, names: PeerNames = NO_PEER_NAMES): ServiceMap {
  const nodeKinds = new Map<string, { name: string; kind: MapNodeKind }>();
  const nodeGroups = new Map<string, Group>();
  const edgeGroups = new Map<string, Group>();
  const edgeEnds = new Map<string, [string, string]>();
  // A service that sends spans is a service, even where a call named it as an outside host.
  const addNode = (id: string, name: string, kind: MapNodeKind) => {
    if (kind === "service" || !nodeKinds.has(id)) nodeKinds.set(id, { name, kind });
  };
  const addEdge = (from: string, to: string, entry: TrafficTally["keys"][number]) => {
    const key = `${from}\u0000${to}`;
    edgeEnds.set(key, [from, to]);
    addTo(edgeGroups, key, entry);
  };
  for (const entry of tally.keys) {
    const { key } = entry;
    if (key.type === ENTRY) {
      addNode(serviceId(key.service), key.service, "service");
      addTo(nodeGroups, serviceId(key.service), entry);
    } else if (key.type === EDGE) {
      addNode(serviceId(key.from), key.from, "service");
      addNode(serviceId(key.to), key.to, "service");
      addEdge(serviceId(key.from), serviceId(key.to), entry);
    } else {
      const name = peerName(key.peer, names);
      if (name === key.from) continue;
      const id = key.peer.kind === "external" ? serviceId(name) : `${key.peer.kind}:${name}`;
      addNode(serviceId(key.from), key.from, "service");
      addNode(id, name, key.peer.kind);
      addTo(nodeGroups, id, entry);
      addEdge(serviceId(key.from), id, entry);
    }
  }
  const nodes: MapNode[] = [...nodeKinds].map(([id, { name, kind }]) => ({
    id,
    name,
    kind,
    ...stats(nodeGroups.get(id)),
  }));
  nodes.sort((x, y) => ascending(x.id, y.id));
  const edges: MapEdge[] = [...edgeGroups].map(([key, group]) => {
    const [from, to] = edgeEnds.get(key) as [string, string];
    return { from, to, ...stats(group) };
  });
  edges.sort((x, y) => ascending(x.from, y.from) || ascending(x.to, y.to));
  return { nodes, edges };
}

/** The map of whole traces (each a list of its spans): what the stores keep up to date span by span. */
export function buildServiceMap(traces: Iterable<readonly Span[]>, names: PeerNames = NO_PEER_NAMES): ServiceMap {
  const traffic = new ServiceTraffic(calledPeerOf);
  for (const spans of traces) for (const span of spans) traffic.add(span);
  return serviceMapOf(traffic.tally(), names);
}
