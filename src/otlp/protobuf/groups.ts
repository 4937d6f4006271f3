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
 * Walks a whole request: `openGroup` is called once per scope group that has items, with what they
 * share, and the reader it returns once per item. A resource or scope may follow the items it
 * describes (field order is free), so each group is read in two passes: the first only hops over
 * the other fields.
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
  const resource: Attributes = {};
  readHeaderThenEntries(
    r,
    T_RESOURCE,
    () => readResourceField(r, resource),
    T_SCOPE_GROUP,
    (scopeIndex) => readScopeGroup(r, resource, openGroup, resourceIndex, scopeIndex),
  );
}

function readScopeGroup(
  r: ProtoReader,
  resource: Attributes,
  openGroup: Parameters<typeof readExportRequest>[1],
  resourceIndex: number,
  scopeIndex: number,
): void {
  const scopeParts = newScopeParts();
  let readItem: ItemReader | undefined;
  readHeaderThenEntries(
    r,
    T_SCOPE,
    () => readScopeField(r, scopeParts),
    T_ITEMS,
    (itemIndex) => {
      readItem ??= openGroup(resource, scopeFromParts(scopeParts), resourceIndex, scopeIndex);
      readItem(r, itemIndex);
    },
  );
}

/**
 * Reads a message whose header field (a resource, a scope) may follow the list it describes (field
 * order is free): a first pass hands each `headerTag` field to `readHeader` and hops over the rest, a
 * second hands each `entryTag` field, entered, to `readEntry` with its index.
 */
function readHeaderThenEntries(
  r: ProtoReader,
  headerTag: number,
  readHeader: () => void,
  entryTag: number,
  readEntry: (index: number) => void,
): void {
  const start = r.pos;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === headerTag) readHeader();
    else r.skip(tag);
  }
  r.pos = start;
  let index = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === entryTag) {
      const saved = r.enter();
      readEntry(index++);
      r.leave(saved);
    } else {
      r.skip(tag);
    }
  }
}
