import { operationOf } from "../domain/operation.js";
import { ascending } from "../domain/order.js";
import { SCOPE_TAG_KEYS } from "../domain/query.js";
import { aliasReadsOf } from "../domain/semconv-aliases.js";
import type { PeerNames } from "../domain/service-map.js";
import type { Attributes, AttrValue } from "../domain/span.js";
import { calleesOfSpans } from "../domain/trace-calls.js";
import { type QueryableSpan, someValue } from "./span-query.js";
import type { AttributeKeyCount, AttributeKeys, AttributeValues } from "./store.js";

/**
 * Autocomplete looks at this many of the newest spans, whatever the store holds: its answer stays
 * within a few milliseconds at any size (see bench/query.mjs), and what a reader types a query
 * about is mostly what arrived lately.
 */
export const CATALOG_SAMPLE_SPANS = 5_000;

/**
 * The last `capacity` spans stored, by arrival (a ring of references): what autocomplete counts.
 * Kept on the write path at the cost of one array store per span, so no read has to find them.
 */
export class RecentSpans<S extends QueryableSpan = QueryableSpan> {
  private ring: S[] = [];
  private next = 0;

  constructor(private readonly capacity = CATALOG_SAMPLE_SPANS) {}

  add(span: S): void {
    if (this.ring.length < this.capacity) this.ring.push(span);
    else this.ring[this.next] = span;
    this.next = (this.next + 1) % this.capacity;
  }

  get size(): number {
    return this.ring.length;
  }

  /** The spans, or those `kept` keeps (the ring still holds spans of traces retention evicted since). */
  list(kept?: (span: S) => boolean): readonly S[] {
    return kept === undefined ? this.ring : this.ring.filter(kept);
  }

  clear(): void {
    this.ring = [];
    this.next = 0;
  }
}

/** Values longer than this are not offered (a statement or a payload is no value to type). */
const MAX_VALUE_LENGTH = 200;

type KeySource = AttributeKeyCount["source"];

function countKeysOf(attributes: Attributes, times: number, out: Map<string, number>): void {
  for (const key in attributes) {
    if (Object.hasOwn(attributes, key)) out.set(key, (out.get(key) ?? 0) + times);
  }
}

/** Attribute keys of `spans` with the number of spans carrying each, most frequent first. */
export function countAttributeKeys(spans: readonly QueryableSpan[]): AttributeKeys {
  // One map per source, keyed by the decoder's shared key strings (no key is built per span).
  const bySource: Record<KeySource, Map<string, number>> = { span: new Map(), resource: new Map(), event: new Map() };
  // Spans of one batch share their resource object: count its keys once per object.
  const resources = new Map<Attributes, number>();
  for (const span of spans) {
    countKeysOf(span.attributes, 1, bySource.span);
    resources.set(span.resource, (resources.get(span.resource) ?? 0) + 1);
    for (const event of span.events) countKeysOf(event.attributes, 1, bySource.event);
  }
  for (const [resource, times] of resources) countKeysOf(resource, times, bySource.resource);
  const keys: AttributeKeyCount[] = [];
  for (const source of ["span", "resource", "event"] as const) {
    for (const [key, count] of bySource[source]) keys.push({ key, source, count });
  }
  keys.sort((a, b) => b.count - a.count || ascending(a.key, b.key));
  return { keys, sampledSpans: spans.length };
}

function scalarText(value: AttrValue): string | undefined {
  if (typeof value === "string") return value.length <= MAX_VALUE_LENGTH ? value : undefined;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** The most frequent values of `key` (a span field or an attribute, read with its aliases) in `spans`. */
export function countAttributeValues(
  spans: readonly QueryableSpan[],
  key: string,
  limit: number,
  peerNames?: PeerNames,
): AttributeValues {
  const counts = new Map<string, number>();
  const add = (text: string | undefined) => {
    if (text !== undefined) counts.set(text, (counts.get(text) ?? 0) + 1);
  };
  const field = key.toLowerCase();
  if (field === "peer") {
    // What the sampled spans call, as far as the sample holds both ends of a call (most of a trace's
    // spans arrive together), each trace's spans together: span ids are only unique within a trace.
    const byTrace = new Map<string, QueryableSpan[]>();
    for (const span of spans) {
      const id = "traceId" in span && typeof span.traceId === "string" ? span.traceId : "";
      const list = byTrace.get(id);
      if (list === undefined) byTrace.set(id, [span]);
      else list.push(span);
    }
    for (const list of byTrace.values()) {
      for (const callees of calleesOfSpans(list, peerNames)) {
        if (callees !== undefined) for (const name of callees) add(name);
      }
    }
  }
  const reads = aliasReadsOf(key);
  const visit = (value: AttrValue): boolean => {
    if (Array.isArray(value)) for (const item of value) add(scalarText(item));
    else add(scalarText(value));
    return false;
  };
  for (const span of spans) {
    if (field === "service") add(span.service);
    else if (field === "name") add(scalarText(span.name));
    else if (field === "operation") add(scalarText(operationOf(span).name));
    else if (field === "status") add(span.status.code.toLowerCase());
    else if (field === "kind") add(span.kind.toLowerCase());
    else if (field !== "duration" && field !== "peer") {
      // The span's scope (its tracer), and an attribute so named too, as the query reads them.
      const part = SCOPE_TAG_KEYS.get(field);
      if (part !== undefined && span.scope !== undefined) add(span.scope[part] || undefined);
      someValue(span, reads, visit);
    }
  }
  const values = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || ascending(a[0], b[0]))
    .slice(0, limit)
    .map(([value, count]) => ({ value, count }));
  return { key, values, sampledSpans: spans.length };
}
