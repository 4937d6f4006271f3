/**
 * The nesting every OTLP export request shares: request { repeated Resource<Signal> = 1 },
 * Resource<Signal> { Resource resource = 1; repeated Scope<Signal> = 2 }, Scope<Signal>
 * { InstrumentationScope scope = 1; repeated <item> = 2 } (spans, log records, metrics).
 */
import type { Attributes, InstrumentationScope } from "../../domain/span.js";
import { newScopeParts, readResourceField, readScopeField, scopeFromParts } from "./common.js";
import { type ProtoReader, tagOf, WIRE_LEN } from "./wire.js";

const T_GROUP = tagOf(1, WIRE_LEN);
const T_RESOURCE = tagOf(1, WIRE_LEN);
const T_SCOPE_GROUP = tagOf(2, WIRE_LEN);
const T_SCOPE = tagOf(1, WIRE_LEN);
const T_ITEMS = tagOf(2, WIRE_LEN);

/** Reads one item; the reader is inside it (its `end` is the item's end). */
export type ItemReader = (r: ProtoReader, itemIndex: number) => void;

/**
 * Walks a whole request: `openGroup` is called once per scope group with what its items share, and
 * the reader it returns once per item. A resource or scope may follow the items it describes (field
 * order is free), so each group is read in two passes: the first only hops over the other fields.
 */
export function readExportRequest(
  r: ProtoReader,
  openGroup: (
    resource: Attributes,
    scope: InstrumentationScope,
    resourceIndex: number,
    scopeIndex: number,
  ) => ItemReader,
): void {
  let resourceIndex = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_GROUP) {
      const saved = r.enter();
      readResourceGroup(r, openGroup, resourceIndex++);
      r.leave(saved);
    } else {
      r.skip(tag);
    }
  }
}

function readResourceGroup(
  r: ProtoReader,
  openGroup: Parameters<typeof readExportRequest>[1],
  resourceIndex: number,
): void {
  const start = r.pos;
  const resource: Attributes = {};
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_RESOURCE) readResourceField(r, resource);
    else r.skip(tag);
  }
  r.pos = start;
  let scopeIndex = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_SCOPE_GROUP) {
      const saved = r.enter();
      readScopeGroup(r, resource, openGroup, resourceIndex, scopeIndex++);
      r.leave(saved);
    } else {
      r.skip(tag);
    }
  }
}

function readScopeGroup(
  r: ProtoReader,
  resource: Attributes,
  openGroup: Parameters<typeof readExportRequest>[1],
  resourceIndex: number,
  scopeIndex: number,
): void {
  const start = r.pos;
  const scopeParts = newScopeParts();
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_SCOPE) readScopeField(r, scopeParts);
    else r.skip(tag);
  }
  r.pos = start;
  const readItem = openGroup(resource, scopeFromParts(scopeParts), resourceIndex, scopeIndex);
  let itemIndex = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_ITEMS) {
      const saved = r.enter();
      readItem(r, itemIndex++);
      r.leave(saved);
    } else {
      r.skip(tag);
    }
  }
}
