import type { BytesPlace } from "./bytes-places.js";

/** Attribute values after OTLP's AnyValue is flattened to JSON-friendly values. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

export const SPAN_KINDS = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

export const STATUS_CODES = ["UNSET", "OK", "ERROR"] as const;
export type StatusCode = (typeof STATUS_CODES)[number];

export interface SpanStatus {
  code: StatusCode;
  message?: string;
}

export interface SpanEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
  droppedAttributesCount?: number;
  /** Where the attributes' values that arrived as OTLP bytes are (see Span.bytes). */
  bytes?: BytesPlace[];
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
  flags?: number;
  /** Where the attributes' values that arrived as OTLP bytes are (see Span.bytes). */
  bytes?: BytesPlace[];
}

export interface InstrumentationScope {
  name: string;
  version: string;
  attributes?: Attributes;
  /** Where the attributes' values that arrived as OTLP bytes are (see Span.bytes); absent when none did. */
  bytes?: BytesPlace[];
}

/**
 * One span as the store keeps it. `resource` and `scope` are shared by reference between the
 * spans of one OTLP batch, and decoders share one frozen `status` object per code (when there is no
 * message) and one frozen empty `events`/`links` array, which keeps memory per span down: spans are
 * read-only once decoded.
 */
export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState?: string;
  flags?: number;
  name: string;
  kind: SpanKind;
  service: string;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  status: SpanStatus;
  attributes: Attributes;
  events: readonly SpanEvent[];
  links: readonly SpanLink[];
  resource: Attributes;
  scope: InstrumentationScope;
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
  /**
   * Where the attributes' values that arrived as OTLP `bytes` are, kept as base64 strings that alone
   * could not be told from text (as LogRecord.bytes): their keys, or paths into lists and maps (see
   * BytesPlace); and, by places ending in INT_MARK, the int64s past 2^53 kept as their digits. Absent
   * when none did, as on events, links and the scope.
   */
  bytes?: BytesPlace[];
  /**
   * The same for the resource's attributes. Spans of one request share it with their resource; the
   * stores keep it with each span (a resource is kept by its attributes alone).
   */
  resourceBytes?: BytesPlace[];
}

/**
 * Stores one attribute; the last of duplicate keys wins. Keys come from untrusted input (decoded, or
 * read back from stored bytes): a plain assignment of "__proto__" would swap the object's prototype
 * instead of storing a value.
 */
export function setAttribute(target: Attributes, key: string, value: AttrValue): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

export const UNKNOWN_SERVICE = "unknown_service";

/** `service.name` of a resource, else `unknown_service` (the SDK default prefix). */
export function serviceNameOf(resource: Attributes): string {
  const name = resource["service.name"];
  return typeof name === "string" && name !== "" ? name : UNKNOWN_SERVICE;
}

/**
 * The first of `keys` that holds a non-empty string: semantic conventions renamed many attributes
 * (`url.path` was `http.target`), and senders use either name.
 */
export function stringAttribute(attributes: Attributes, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}
