/**
 * The part every OTLP/JSON export request shares: resource groups → scope groups → items
 * (`resourceLogs[].scopeLogs[].logRecords[]`, and so on), with the rule of json/traces.ts for faults
 * at those levels: a wrongly shaped list, group, resource or scope makes the whole body unusable
 * (OtlpDecodeError), because the items lost could not even be counted.
 */
import { type BytesPlace, keptPlaces } from "../../domain/bytes-places.js";
import type { Attributes, InstrumentationScope } from "../../domain/span.js";
import { OtlpDecodeError } from "../errors.js";
import { DEFAULT_REQUEST_LIMITS, type RequestLimits, runToEnd, tooMany } from "../limits.js";
import { makeScope } from "../traces.js";
import {
  arrayField,
  isObject,
  itemAttributesField,
  type JsonObject,
  JsonShapeError,
  objectField,
  show,
  stringField,
  structural,
} from "./common.js";
import { type CutGroup, type CutList, parseCutGroup, parseCutItems, scanRequest } from "./scan.js";

/** The camelCase and snake_case names of one level's list field. */
export type FieldNames = readonly [camel: string, snake: string];

export interface SignalFieldNames {
  /** e.g. ["resourceLogs", "resource_logs"] */
  resources: FieldNames;
  /** e.g. ["scopeLogs", "scope_logs"] */
  scopes: FieldNames;
  /** e.g. ["logRecords", "log_records"] */
  items: FieldNames;
}

/** Reads a run of one scope group's items; `firstIndex` is the first one's index in the group. */
export type ItemsReader = (items: unknown[], firstIndex: number) => void;

/** Called once per scope group that has an item list, with what its items share. */
export type JsonGroupOpener = (
  resource: Attributes,
  scope: InstrumentationScope,
  resourceIndex: number,
  scopeIndex: number,
  /** Where the resource's bytes values are; undefined when it has none. */
  resourceBytes: BytesPlace[] | undefined,
) => ItemsReader;

/** Item text parsed at a time from a large body (json/scan.ts). */
const CHUNK_BYTES = 64 * 1024;

/** Walks a parsed body: `openGroup` once per scope group that has an item list, in request order. */
export function forEachScopeGroup(
  body: unknown,
  names: SignalFieldNames,
  openGroup: JsonGroupOpener,
  items = "items",
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
): void {
  runToEnd(walkScopeGroups(body, null, EMPTY_BYTES, names, openGroup, new GroupCounts(items, limits)));
}

/** Groups and items met so far, against the limits (a large body's were counted by the scanner already). */
class GroupCounts {
  private readonly counts = { resource: 0, scope: 0, items: 0 };

  constructor(
    private readonly noun: string,
    private readonly limits: RequestLimits,
  ) {}

  add(list: ListValue, level: "resource" | "scope" | "items"): void {
    const count = this.counts[level] + lengthOf(list);
    this.counts[level] = count;
    const max = level === "items" ? this.limits.maxItems : this.limits.maxGroups;
    if (count > max) throw tooMany(level === "items" ? this.noun : `${level} groups`, max);
  }
}

/**
 * Walks a large body as it is, never parsed whole: scanned first (depth and counts against `limits`),
 * then each group's own fields are parsed, then its items a chunk at a time, yielding between chunks.
 */
export function* sliceScopeGroups(
  bytes: Uint8Array,
  names: SignalFieldNames,
  openGroup: JsonGroupOpener,
  items: string,
  limits: RequestLimits = DEFAULT_REQUEST_LIMITS,
): Generator<void, void, void> {
  const levels = [names.resources, names.scopes, names.items];
  const root = yield* scanRequest(bytes, { levels, items }, limits);
  if (root === null) throw new OtlpDecodeError("request body is not a JSON object");
  yield* walkScopeGroups(parseCutGroup(bytes, root), root, bytes, names, openGroup, new GroupCounts(items, limits));
}

const EMPTY_BYTES = new Uint8Array(0);

/** A list field: as parsed, or cut out of the text by the scanner (read from `bytes` when needed). */
type ListValue = { parsed: unknown[] } | { cut: CutList };

function listOf(
  obj: JsonObject,
  cut: CutGroup | null,
  [camel, snake]: FieldNames,
  path: string,
): ListValue | undefined {
  const parsed = structural(path, () => arrayField(obj, camel, snake));
  if (parsed === undefined) return undefined;
  if (cut !== null) {
    // The spelling `field` reads: camelCase when present.
    const chosen = obj[camel] !== undefined ? camel : snake;
    const list = cut.lists.find((l) => l.key === chosen);
    if (list !== undefined) return { cut: list };
  }
  return { parsed };
}

function lengthOf(list: ListValue): number {
  if ("parsed" in list) return list.parsed.length;
  return list.cut.groups.length + list.cut.ranges.length / 2;
}

/** Element `i` of a group list, and its cut lists (null when it was parsed with its parent). */
function groupAt(list: ListValue, i: number, bytes: Uint8Array): [unknown, CutGroup | null] {
  if ("parsed" in list) return [list.parsed[i], null];
  const group = list.cut.groups[i] as CutGroup;
  return [parseCutGroup(bytes, group), group];
}

function* walkScopeGroups(
  body: unknown,
  cut: CutGroup | null,
  bytes: Uint8Array,
  names: SignalFieldNames,
  openGroup: JsonGroupOpener,
  counts: GroupCounts,
): Generator<void, void, void> {
  if (!isObject(body)) throw new OtlpDecodeError("request body is not a JSON object");
  const [resourcesName] = names.resources;
  const [scopesName] = names.scopes;
  const resources = listOf(body, cut, names.resources, "request");
  if (resources === undefined) return;
  counts.add(resources, "resource");
  for (let i = 0; i < lengthOf(resources); i++) {
    const [group, groupCut] = groupAt(resources, i, bytes);
    const path = `${resourcesName}[${i}]`;
    if (!isObject(group)) throw new OtlpDecodeError(`${path} is not an object`);
    const resourcePlaces: BytesPlace[] = [];
    const resource = structural(`${path}.resource`, () => {
      const r = objectField(group, "resource");
      return r === undefined ? {} : itemAttributesField(r, resourcePlaces);
    });
    const resourceBytes = keptPlaces(resourcePlaces, resource);
    const scopes = listOf(group, groupCut, names.scopes, path);
    if (scopes === undefined) continue;
    counts.add(scopes, "scope");
    for (let j = 0; j < lengthOf(scopes); j++) {
      const [scopeGroup, scopeCut] = groupAt(scopes, j, bytes);
      const scopePath = `${path}.${scopesName}[${j}]`;
      if (!isObject(scopeGroup)) throw new OtlpDecodeError(`${scopePath} is not an object`);
      const scope = structural(`${scopePath}.scope`, () => {
        const s = objectField(scopeGroup, "scope");
        if (s === undefined) return makeScope("", "", {});
        const places: BytesPlace[] = [];
        const attributes = itemAttributesField(s, places);
        return makeScope(stringField(s, "name"), stringField(s, "version"), attributes, places);
      });
      const items = listOf(scopeGroup, scopeCut, names.items, scopePath);
      if (items === undefined) continue;
      counts.add(items, "items");
      const read = openGroup(resource, scope, i, j, resourceBytes);
      if ("parsed" in items) {
        read(items.parsed, 0);
        continue;
      }
      const { ranges } = items.cut;
      const count = ranges.length / 2;
      for (let first = 0; first < count; ) {
        let last = first + 1;
        const limit = (ranges[first * 2] as number) + CHUNK_BYTES;
        while (last < count && (ranges[last * 2 + 1] as number) <= limit) last++;
        read(parseCutItems(bytes, items.cut, first, last), first);
        first = last;
        yield;
      }
    }
  }
}

/**
 * The reader of a signal whose items are read one by one into a scratch `w` (spans, log records):
 * each item that reads without a fault in its shape is handed to `batch.add`.
 */
export function scratchItemReader<W, G>(
  batch: { reject(group: G, index: number, reason: string): void; add(w: W, group: G, index: number): void },
  noun: string,
  scratch: W,
  reset: (w: W) => W,
  read: (item: JsonObject, w: W) => unknown,
  groupOf: (
    resource: Attributes,
    scope: InstrumentationScope,
    resourceIndex: number,
    scopeIndex: number,
    resourceBytes: BytesPlace[] | undefined,
  ) => G,
): JsonGroupOpener {
  return (resource, scope, resourceIndex, scopeIndex, resourceBytes) => {
    const group = groupOf(resource, scope, resourceIndex, scopeIndex, resourceBytes);
    return (items, first) => {
      for (let k = 0; k < items.length; k++) {
        const index = first + k;
        if (readItem(items[k], noun, reset(scratch), read, batch, group, index)) batch.add(scratch, group, index);
      }
    };
  };
}

/**
 * Reads one item (a span, a log record) into the scratch `w` with `read`. A fault in the item's
 * shape rejects that item alone, with the reason, in `batch`; returns whether it was read.
 */
export function readItem<W, G>(
  value: unknown,
  noun: string,
  w: W,
  read: (item: JsonObject, w: W) => void,
  batch: { reject(group: G, index: number, reason: string): void },
  group: G,
  index: number,
): boolean {
  if (!isObject(value)) {
    batch.reject(group, index, `${noun} ${show(value)} is not an object`);
    return false;
  }
  try {
    read(value, w);
    return true;
  } catch (e) {
    if (e instanceof JsonShapeError) {
      batch.reject(group, index, e.message);
      return false;
    }
    throw e;
  }
}
