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

function pushVarint(out: number[], value: number): void {
  let v = value >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}
