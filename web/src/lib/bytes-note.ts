/** Values that arrived as OTLP bytes, which the API carries as base64 strings. Pure. */
import { base64ByteCount } from "../../../src/domain/base64";
import { pathText, valueAtPath } from "../../../src/domain/bytes-places";
import type { AttrValue, ValueStep } from "../../../src/protocol";

/**
 * What a value sent as OTLP bytes is, said beside the base64 text it is shown as (which alone reads
 * as text): `base64 of 4 bytes`.
 */
export function bytesNote(base64: string): string {
  const count = base64ByteCount(base64);
  return `base64 of ${count.toLocaleString("en-US")} ${count === 1 ? "byte" : "bytes"}`;
}

/** The bytes values inside a list or map value (at `paths`), each with where it is (`[1].id`) and its base64 text. */
export function nestedBytes(
  value: AttrValue,
  paths: readonly (readonly ValueStep[])[],
): { at: string; base64: string }[] {
  const found: { at: string; base64: string }[] = [];
  for (const path of paths) {
    const base64 = valueAtPath(value, path);
    if (typeof base64 === "string") found.push({ at: pathText(path), base64 });
  }
  return found;
}
