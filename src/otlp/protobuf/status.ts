import { ProtoReader, tagOf, WIRE_LEN, WIRE_VARINT } from "./wire.js";

/**
 * google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }:
 * the body of an OTLP/HTTP error response, and over gRPC the `grpc-status-details-bin` trailer. With
 * `retryDelaySeconds` its one detail is a google.rpc.RetryInfo, which OTLP/gRPC senders read for how
 * long to wait before they retry.
 */
export function encodeStatusProtobuf(
  code: number,
  message: string,
  retryDelaySeconds?: number,
): Uint8Array<ArrayBuffer> {
  const text = new TextEncoder().encode(message);
  const out: number[] = [0x08];
  pushVarint(out, code);
  out.push(0x12);
  pushVarint(out, text.length);
  const details: number[] = [];
  if (retryDelaySeconds !== undefined) pushLengthDelimited(details, 0x1a, retryInfoAny(retryDelaySeconds));
  const bytes = new Uint8Array(out.length + text.length + details.length);
  bytes.set(out, 0);
  bytes.set(text, out.length);
  bytes.set(details, out.length + text.length);
  return bytes;
}

const RETRY_INFO_TYPE_URL = new TextEncoder().encode("type.googleapis.com/google.rpc.RetryInfo");

/**
 * google.protobuf.Any { string type_url = 1; bytes value = 2; } holding google.rpc.RetryInfo
 * { google.protobuf.Duration retry_delay = 1; }, the Duration { int64 seconds = 1; } whole seconds.
 */
function retryInfoAny(seconds: number): number[] {
  const duration = [0x08];
  pushVarint(duration, seconds);
  const retryInfo: number[] = [];
  pushLengthDelimited(retryInfo, 0x0a, duration);
  const any: number[] = [];
  pushLengthDelimited(any, 0x0a, RETRY_INFO_TYPE_URL);
  pushLengthDelimited(any, 0x12, retryInfo);
  return any;
}

/** A length-delimited field: its tag (one byte: field numbers below 16), the length, the bytes. */
function pushLengthDelimited(out: number[], tag: number, bytes: ArrayLike<number>): void {
  out.push(tag);
  pushVarint(out, bytes.length);
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i] as number);
}

/**
 * The Export*ServiceResponse of every signal: empty (a valid empty message) when everything was
 * accepted; otherwise partial_success (field 1) = { rejected_<items> (1, int64), error_message (2) }.
 * A message with nothing rejected is still sent: OTLP lets a server pass warnings that way.
 */
export function encodeExportResponseProtobuf(rejected: number, errorMessage: string): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(rejected) || rejected < 0) {
    throw new RangeError(`the rejected count must be a non-negative integer, got ${rejected}`);
  }
  if (rejected === 0 && errorMessage === "") return new Uint8Array(0);
  const text = new TextEncoder().encode(errorMessage);
  const inner: number[] = [];
  if (rejected !== 0) {
    inner.push(0x08);
    pushVarint(inner, rejected);
  }
  if (text.length !== 0) {
    inner.push(0x12);
    pushVarint(inner, text.length);
  }
  const head: number[] = [0x0a];
  pushVarint(head, inner.length + text.length);
  const out = new Uint8Array(head.length + inner.length + text.length);
  out.set(head, 0);
  out.set(inner, head.length);
  out.set(text, head.length + inner.length);
  return out;
}

function pushVarint(out: number[], value: number): void {
  // Division rather than `>>>`: counts may exceed 2^32 (a status code is never negative here).
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

const STATUS_MESSAGE_TAG = tagOf(2, WIRE_LEN);

/**
 * The message of a google.rpc.Status (an OTLP/HTTP error body, protobuf-encoded when the request was),
 * or null when the bytes hold none or are no such message (a body cut short, say).
 */
export function readStatusMessageProtobuf(bytes: Uint8Array): string | null {
  try {
    const reader = new ProtoReader(bytes);
    let message: string | null = null;
    while (reader.pos < reader.end) {
      const tag = reader.tag();
      if (tag === STATUS_MESSAGE_TAG) message = reader.string();
      else reader.skip(tag);
    }
    return message;
  } catch {
    return null;
  }
}

const PARTIAL_SUCCESS_TAG = tagOf(1, WIRE_LEN);
const REJECTED_TAG = tagOf(1, WIRE_VARINT);
const ERROR_MESSAGE_TAG = tagOf(2, WIRE_LEN);

/**
 * The partial_success of an Export{Trace,Logs,Metrics}ServiceResponse (the same fields in all three):
 * how many items the receiver rejected and why. Null when it has none, or the bytes are no such message.
 */
export function readPartialSuccessProtobuf(bytes: Uint8Array): { rejected: number; errorMessage: string } | null {
  try {
    const reader = new ProtoReader(bytes);
    let found: { rejected: number; errorMessage: string } | null = null;
    while (reader.pos < reader.end) {
      const tag = reader.tag();
      if (tag !== PARTIAL_SUCCESS_TAG) {
        reader.skip(tag);
        continue;
      }
      found ??= { rejected: 0, errorMessage: "" };
      const outer = reader.enter();
      while (reader.pos < reader.end) {
        const inner = reader.tag();
        if (inner === REJECTED_TAG) found.rejected = Number(reader.int64());
        else if (inner === ERROR_MESSAGE_TAG) found.errorMessage = reader.string();
        else reader.skip(inner);
      }
      reader.leave(outer);
    }
    return found;
  } catch {
    return null;
  }
}
