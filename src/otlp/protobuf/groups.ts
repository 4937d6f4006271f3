/**
 * The nesting every OTLP export request shares: request { repeated Resource<Signal> = 1 },
 * Resource<Signal> { Resource resource = 1; repeated Scope<Signal> = 2 }, Scope<Signal>
 * { InstrumentationScope scope = 1; repeated <item> = 2 } (spans, log records, metrics).
 */
import { type BytesPlace, keptPlaces } from "../../domain/bytes-places.js";
import type { Attributes, InstrumentationScope } from "../../domain/span.js";
import { DEFAULT_REQUEST_LIMITS, type RequestLimits, runToEnd, SLICED_BODY_BYTES, tooMany } from "../limits.js";
import { newScopeParts, readResourceField, readScopeField, scopeFromParts } from "./common.js";
import { ProtoReader, tagOf, WIRE_LEN } from "./wire.js";

const T_GROUP = tagOf(1, WIRE_LEN);
const T_RESOURCE = tagOf(1, WIRE_LEN);
const T_SCOPE_GROUP = tagOf(2, WIRE_LEN);
const T_SCOPE = tagOf(1, WIRE_LEN);
const T_ITEMS = tagOf(2, WIRE_LEN);

/** Items read between two yields of `walkExportRequest`. */
const ITEMS_PER_STEP = 256;

/** Reads one item; the reader is inside it (its `end` is the item's end). */
export type ItemReader = (r: ProtoReader, itemIndex: number) => void;

export type GroupOpener = (
  resource: Attributes,
  scope: InstrumentationScope,
  resourceIndex: number,
  scopeIndex: number,
  /** Where the resource's bytes values are; undefined when it has none. */
  resourceBytes: BytesPlace[] | undefined,
) => ItemReader;

/** What a walk counts against the request limits; `items` names them in the refusal ("spans"). */
export interface WalkBounds {
  items: string;
  limits?: Pick<RequestLimits, "maxItems" | "maxGroups">;
}

/**
 * Walks a whole request: `openGroup` is called once per scope group that has items, with what they
 * share, and the reader it returns once per item. A resource or scope may follow the items it
 * describes (field order is free), so each group is read in two passes: the first only hops over
 * the other fields. Yields every few hundred items, so that a caller can pace a large request
 * (`runPaced`); more items or groups than the limits allow throw `OtlpLimitError`.
 */
export function* walkExportRequest(
  r: ProtoReader,
  openGroup: GroupOpener,
  bounds: WalkBounds,
): Generator<void, void, void> {
  const walk = new Walk(r, openGroup, bounds);
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === T_GROUP) {
      const saved = r.enter();
      if (walk.resourceGroups++ === walk.limits.maxGroups) {
        throw tooMany("resource groups", walk.limits.maxGroups);
      }
      yield* walk.resourceGroup(walk.resourceGroups - 1);
      r.leave(saved);
    } else {
      r.skip(tag);
    }
  }
}

/**
 * Decodes a request body: a large one is first only counted, so that one over a limit is refused
 * before anything is built for it. Yields as `walkExportRequest` does.
 */
export function* walkExportBody(
  bytes: Uint8Array,
  openGroup: GroupOpener,
  items: string,
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
): Generator<void, void, void> {
  const bounds: WalkBounds = { items, limits };
  if (bytes.byteLength >= SLICED_BODY_BYTES) yield* walkExportRequest(new ProtoReader(bytes), () => skipItem, bounds);
  const r = new ProtoReader(bytes);
  r.maxValues = limits.maxValues;
  yield* walkExportRequest(r, openGroup, bounds);
}

/** `walkExportRequest` run to its end at once. */
export function readExportRequest(r: ProtoReader, openGroup: GroupOpener, bounds: WalkBounds): void {
  runToEnd(walkExportRequest(r, openGroup, bounds));
}

function skipItem(): void {}

class Walk {
  resourceGroups = 0;
  scopeGroups = 0;
  items = 0;
  readonly limits: Pick<RequestLimits, "maxItems" | "maxGroups">;

  constructor(
    private readonly r: ProtoReader,
    private readonly openGroup: GroupOpener,
    private readonly bounds: WalkBounds,
  ) {
    this.limits = bounds.limits ?? DEFAULT_REQUEST_LIMITS;
  }

  *resourceGroup(resourceIndex: number): Generator<void, void, void> {
    const r = this.r;
    const resource: Attributes = {};
    const places: BytesPlace[] = [];
    this.readHeader(T_RESOURCE, () => readResourceField(r, resource, places));
    const resourceBytes = keptPlaces(places, resource);
    let scopeIndex = 0;
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === T_SCOPE_GROUP) {
        const saved = r.enter();
        if (this.scopeGroups++ === this.limits.maxGroups) {
          throw tooMany("scope groups", this.limits.maxGroups);
        }
        yield* this.scopeGroup(resource, resourceBytes, resourceIndex, scopeIndex++);
        r.leave(saved);
      } else {
        r.skip(tag);
      }
    }
  }

  *scopeGroup(
    resource: Attributes,
    resourceBytes: BytesPlace[] | undefined,
    resourceIndex: number,
    scopeIndex: number,
  ): Generator<void, void, void> {
    const r = this.r;
    const scopeParts = newScopeParts();
    this.readHeader(T_SCOPE, () => readScopeField(r, scopeParts));
    let readItem: ItemReader | undefined;
    let index = 0;
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === T_ITEMS) {
        const saved = r.enter();
        if (this.items++ === this.limits.maxItems) {
          throw tooMany(this.bounds.items, this.limits.maxItems);
        }
        readItem ??= this.openGroup(resource, scopeFromParts(scopeParts), resourceIndex, scopeIndex, resourceBytes);
        readItem(r, index++);
        r.leave(saved);
        if (this.items % ITEMS_PER_STEP === 0) yield;
      } else {
        r.skip(tag);
      }
    }
  }

  /**
   * The first pass over a message whose header field (a resource, a scope) may follow the list it
   * describes: hands each `headerTag` field to `readHeader`, hops over the rest, and rewinds.
   */
  private readHeader(headerTag: number, readHeader: () => void): void {
    const r = this.r;
    const start = r.pos;
    while (r.pos < r.end) {
      const tag = r.tag();
      if (tag === headerTag) readHeader();
      else r.skip(tag);
    }
    r.pos = start;
  }
}
