/** Values that arrived as OTLP bytes, which the API carries as base64 strings. Pure. */

/**
 * What a value sent as OTLP bytes is, said beside the base64 text it is shown as (which alone reads
 * as text): `base64 of 4 bytes`.
 */
export function bytesNote(base64: string): string {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  const count = Math.max(0, Math.floor((base64.length * 3) / 4) - padding);
  return `base64 of ${count.toLocaleString("en-US")} ${count === 1 ? "byte" : "bytes"}`;
}
