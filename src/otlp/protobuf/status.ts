/** google.rpc.Status { int32 code = 1; string message = 2; } — the body of an OTLP error response. */
export function encodeStatusProtobuf(code: number, message: string): Uint8Array<ArrayBuffer> {
  const text = new TextEncoder().encode(message);
  const out: number[] = [0x08];
  pushVarint(out, code);
  out.push(0x12);
  pushVarint(out, text.length);
  const bytes = new Uint8Array(out.length + text.length);
  bytes.set(out, 0);
  bytes.set(text, out.length);
  return bytes;
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
