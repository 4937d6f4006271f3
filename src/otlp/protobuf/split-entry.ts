/**
 * Cutting one entry of an export request that is too large to send alone into several entries of the
 * same field. The three signals share their outer shape: a resource entry (ResourceSpans,
 * ResourceLogs, ResourceMetrics) holds its resource (field 1), its scope entries (field 2) and a
 * schema URL (field 3); a scope entry holds its scope (1), its spans, log records or metrics (2) and a
 * schema URL (3). Every part keeps the entry's other fields and takes some of its field-2 children, so
 * the parts together hold what the entry held, each item under the same resource and scope.
 */
import { Buffer } from "node:buffer";
import { ProtoReader, tagOf, WIRE_LEN } from "./wire.js";
import { ProtoWriter } from "./writer.js";

/** The repeated field of a resource entry (its scope entries) and of a scope entry (its items). */
const CHILD_FIELD = 2;
/** A part's own tag and length (a tag of one byte, a length of up to five). */
const PART_OVERHEAD = 6;

/**
 * `entry` (a length-delimited field, tag and length included) as entries of at most `maxBytes` each,
 * its children cut in turn down to `depth` levels (2 for a resource entry: scope entries, then
 * items). A child that cannot be cut (one span larger than `maxBytes`) is a part of its own; an entry
 * that cannot be read is given back whole, for the receiver to judge.
 */
export function splitEntry(entry: Uint8Array, maxBytes: number, depth: number): Uint8Array[] {
  if (entry.length <= maxBytes || depth <= 0) return [entry];
  const header: Uint8Array[] = [];
  const children: Uint8Array[] = [];
  let field: number;
  try {
    const r = new ProtoReader(entry);
    const tag = r.tag();
    if ((tag & 7) !== WIRE_LEN) return [entry];
    field = tag >>> 3;
    r.enter();
    while (r.pos < r.end) {
      const start = r.pos;
      const childTag = r.tag();
      r.skip(childTag);
      (childTag === tagOf(CHILD_FIELD, WIRE_LEN) ? children : header).push(entry.subarray(start, r.pos));
    }
  } catch {
    return [entry];
  }
  const headerBytes = header.reduce((n, part) => n + part.length, 0);
  const room = maxBytes - PART_OVERHEAD - headerBytes;
  if (children.length === 0 || room <= 0) return [entry];

  const parts: Uint8Array[] = [];
  let group: Uint8Array[] = [];
  let groupBytes = 0;
  const close = () => {
    if (group.length === 0) return;
    const body = Buffer.concat([...header, ...group]);
    const writer = new ProtoWriter(body.length + PART_OVERHEAD);
    writer.lengthDelimited(field, body);
    parts.push(writer.finish());
    group = [];
    groupBytes = 0;
  };
  for (const child of children) {
    for (const piece of splitEntry(child, room, depth - 1)) {
      if (groupBytes + piece.length > room) close();
      group.push(piece);
      groupBytes += piece.length;
    }
  }
  close();
  return parts;
}
