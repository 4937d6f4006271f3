import { mayNameCallee } from "../domain/service-map.js";
import type { Attributes, AttrValue, InstrumentationScope } from "../domain/span.js";
import { attributesHaveBoxedNumber, decodeJson, encodeJson } from "./sqlite-json.js";
import type { Statements } from "./sqlite-schema.js";
import type { SpanBody } from "./sqlite-span-codec.js";

/** Attribute shapes kept; spans with key sets beyond it store their attributes as objects. */
const MAX_SHAPES = 10_000;
const RECENT_SHAPES = 8;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The span store's caches of its small lookup tables: ids of services, resources and scopes, and
 * attribute shapes. New ids are only made inside a flush transaction (serviceId, resourceId,
 * scopeId); new shapes wait in `pendingShapes` for the flush that writes the spans using them.
 */
export class SpanLookups {
  readonly serviceIdByName = new Map<string, number>();
  readonly serviceNameById = new Map<number, string>();
  private readonly resourceIdByJson = new Map<string, number>();
  private readonly scopeIdByJson = new Map<string, number>();
  /** Scopes by id as reads name them (see scopeNamed): a file holds few, all noted by noteScope. */
  private readonly scopeNameById = new Map<number, Pick<InstrumentationScope, "name" | "version">>();
  /**
   * The scopes whose INTERNAL spans may name what they call (a TraceKit SDK's tracer, mayNameCallee):
   * while there are none, reads of what spans call leave every row's scope unread.
   */
  readonly callingScopeIds = new Set<number>();
  /**
   * Attribute key lists ("shapes"): spans of one kind carry the same keys, so a span row stores its
   * attribute values and the number of their shape, not the keys again (~35% of a row). The most
   * recently used shapes are compared key by key (decoded keys are shared strings, so mostly by
   * identity); others are found by their JSON.
   */
  private readonly shapeIdByKeys = new Map<string, number>();
  private readonly shapeKeysById = new Map<number, readonly string[]>();
  /** Shapes with a "__proto__" key, which assignment would not make a plain key. */
  private readonly protoShapes = new Set<number>();
  private recentShapes: { keys: readonly string[]; id: number }[] = [];
  /** Shapes made since the last flush: [id, keys JSON], written with the spans that use them. */
  pendingShapes: [number, string][] = [];
  private nextShapeId = 1;
  /** Spans of one OTLP batch share resource and scope objects: serialize each once. */
  private resourceJsonCache = new WeakMap<object, string>();
  private scopeJsonCache = new WeakMap<object, string>();

  constructor(private readonly stmts: Statements) {}

  /** (Re)reads the lookup tables from the file: at open, and after a failed flush. */
  load(): void {
    const stmts = this.stmts;
    this.serviceIdByName.clear();
    this.serviceNameById.clear();
    for (const [id, name] of stmts.allServices.all() as [bigint, string][]) {
      this.serviceIdByName.set(name, Number(id));
      this.serviceNameById.set(Number(id), name);
    }
    this.resourceIdByJson.clear();
    this.scopeIdByJson.clear();
    this.scopeNameById.clear();
    this.callingScopeIds.clear();
    for (const [id, json] of stmts.allScopes.all() as [bigint, string][]) this.noteScope(Number(id), json);
    this.shapeIdByKeys.clear();
    this.shapeKeysById.clear();
    this.protoShapes.clear();
    this.recentShapes = [];
    this.pendingShapes = [];
    this.nextShapeId = 1;
    for (const [id, json] of stmts.allShapes.all() as [bigint, string][]) {
      this.shapeIdByKeys.set(json, Number(id));
      this.keepShape(Number(id), JSON.parse(json) as string[]);
      this.nextShapeId = Math.max(this.nextShapeId, Number(id) + 1);
    }
    this.resourceJsonCache = new WeakMap();
    this.scopeJsonCache = new WeakMap();
  }

  // ---- ids of services, resources and scopes (only called inside a flush transaction) ----

  serviceId(name: string): number {
    let id = this.serviceIdByName.get(name);
    if (id === undefined) {
      id = Number(this.stmts.serviceInsert.run(name).lastInsertRowid);
      this.serviceIdByName.set(name, id);
      this.serviceNameById.set(id, name);
    }
    return id;
  }

  resourceId(json: string): number {
    let id = this.resourceIdByJson.get(json);
    if (id === undefined) {
      const existing = this.stmts.resourceIdByJson.get(json) as bigint | undefined;
      id = Number(existing ?? this.stmts.resourceInsert.run(json).lastInsertRowid);
      this.resourceIdByJson.set(json, id);
    }
    return id;
  }

  scopeId(json: string): number {
    let id = this.scopeIdByJson.get(json);
    if (id === undefined) {
      const existing = this.stmts.scopeIdByJson.get(json) as bigint | undefined;
      id = Number(existing ?? this.stmts.scopeInsert.run(json).lastInsertRowid);
      this.scopeIdByJson.set(json, id);
      this.noteScope(id, json);
    }
    return id;
  }

  private noteScope(id: number, json: string): void {
    const { name, version } = decodeJson<{ name?: unknown; version?: unknown }>(json);
    this.scopeNameById.set(id, {
      name: typeof name === "string" ? name : "",
      version: typeof version === "string" ? version : "",
    });
    if (typeof name === "string" && mayNameCallee("INTERNAL", name)) this.callingScopeIds.add(id);
  }

  /** Scope `id`'s name and version, as one object per scope (noted as the scope is read or made). */
  scopeNamed(id: number): Pick<InstrumentationScope, "name" | "version"> {
    return this.scopeNameById.get(id) ?? { name: "", version: "" };
  }

  resourceJson(resource: Attributes): string {
    let json = this.resourceJsonCache.get(resource);
    if (json === undefined) {
      json = encodeJson(resource, attributesHaveBoxedNumber(resource));
      this.resourceJsonCache.set(resource, json);
    }
    return json;
  }

  scopeJson(scope: InstrumentationScope): string {
    let json = this.scopeJsonCache.get(scope);
    if (json === undefined) {
      json = encodeJson(scope, scope.attributes !== undefined && attributesHaveBoxedNumber(scope.attributes));
      this.scopeJsonCache.set(scope, json);
    }
    return json;
  }

  /** The shape of `attributes`, or null when it has none (no keys) or the shape table is full. */
  shapeOf(attributes: Attributes): number | null {
    const keys = Object.keys(attributes);
    if (keys.length === 0) return null;
    for (let i = 0; i < this.recentShapes.length; i++) {
      const shape = this.recentShapes[i] as { keys: readonly string[]; id: number };
      if (sameKeys(shape.keys, keys)) return shape.id;
    }
    const json = JSON.stringify(keys);
    let id = this.shapeIdByKeys.get(json);
    if (id === undefined) {
      // Distinct key sets only grow the table: past a bound, new ones are stored as objects.
      if (this.shapeIdByKeys.size >= MAX_SHAPES) return null;
      id = this.nextShapeId++;
      this.shapeIdByKeys.set(json, id);
      this.keepShape(id, keys);
      this.pendingShapes.push([id, json]);
    }
    this.recentShapes.unshift({ keys, id });
    if (this.recentShapes.length > RECENT_SHAPES) this.recentShapes.pop();
    return id;
  }

  private keepShape(id: number, keys: readonly string[]): void {
    this.shapeKeysById.set(id, keys);
    if (keys.includes("__proto__")) this.protoShapes.add(id);
  }

  /** The keys of attribute shape `id`, if there is one. */
  shapeKeys(id: number): readonly string[] | undefined {
    return this.shapeKeysById.get(id);
  }

  /** A stored body's attributes as an object again. */
  attributesOf(body: SpanBody): Attributes {
    const stored = body[7];
    if (!Array.isArray(stored)) return stored;
    const id = body[11] ?? 0;
    const keys = this.shapeKeysById.get(id) ?? [];
    // fromEntries defines properties, so a "__proto__" key stays a plain key; assignment (several
    // times faster than fromEntries over map: 5 ms, not 38, for 100,000 spans) serves the other shapes.
    if (this.protoShapes.has(id)) {
      return Object.fromEntries(keys.map((key, i) => [key, stored[i] as AttrValue])) as Attributes;
    }
    const attributes: Attributes = {};
    for (let i = 0; i < keys.length; i++) attributes[keys[i] as string] = stored[i] as AttrValue;
    return attributes;
  }
}
