/** Values that arrived as OTLP bytes, which the API carries as base64 strings. Pure. */
import { base64ByteCount } from "../../../src/domain/base64";
import { pathText, valueAtPath } from "../../../src/domain/bytes-places";
import type { AttrValue, ValueStep } from "../../../src/protocol";
import { formatCount } from "./format";

/**
 * What a value sent as OTLP bytes is, said beside the base64 text it is shown as (which alone reads
 * as text): `base64 of 4 bytes`.
 */
export function bytesNote(base64: string): string {
  const count = base64ByteCount(base64);
  return `base64 of ${formatCount(count)} ${count === 1 ? "byte" : "bytes"}`;
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

/** A value with more bytes values inside than this shows the first NESTED_NOTES_FIRST and counts the rest in one note. */
const NESTED_NOTES_MAX = 4;
const NESTED_NOTES_FIRST = 3;
/** The rest's note lists this many of them in its tooltip. */
const REST_LISTED = 30;

/**
 * The notes for the bytes values inside a list or map value: each one's own while they are few (a list
 * of 40 digests would otherwise push the value itself a screen down), else the first ones and the
 * rest as one note (`37 more sent as bytes`) whose tooltip lists them.
 */
export function nestedBytesNotes(
  value: AttrValue,
  paths: readonly (readonly ValueStep[])[],
): { notes: { at: string; base64: string }[]; rest: { text: string; title: string } | null } {
  const found = nestedBytes(value, paths);
  if (found.length <= NESTED_NOTES_MAX) return { notes: found, rest: null };
  const rest = found.slice(NESTED_NOTES_FIRST);
  const listed = rest.slice(0, REST_LISTED).map(({ at, base64 }) => `${at}: ${bytesNote(base64)}`);
  if (rest.length > REST_LISTED) listed.push(`and ${formatCount(rest.length - REST_LISTED)} more`);
  return {
    notes: found.slice(0, NESTED_NOTES_FIRST),
    rest: { text: `${formatCount(rest.length)} more sent as bytes`, title: listed.join("\n") },
  };
}
