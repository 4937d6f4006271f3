/** Values that arrived as OTLP bytes, which the API carries as base64 strings. Pure. */
import { base64ByteCount } from "../../../src/domain/base64";

/**
 * What a value sent as OTLP bytes is, said beside the base64 text it is shown as (which alone reads
 * as text): `base64 of 4 bytes`.
 */
export function bytesNote(base64: string): string {
  const count = base64ByteCount(base64);
  return `base64 of ${count.toLocaleString("en-US")} ${count === 1 ? "byte" : "bytes"}`;
}
