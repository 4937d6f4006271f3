/**
 * The part every OTLP/JSON export request shares: resource groups → scope groups → items
 * (`resourceLogs[].scopeLogs[].logRecords[]`, and so on), with the rule of json/traces.ts for faults
 * at those levels: a wrongly shaped list, group, resource or scope makes the whole body unusable
 * (OtlpDecodeError), because the items lost could not even be counted.
 */
import type { Attributes, InstrumentationScope } from "../../domain/span.js";
import { OtlpDecodeError } from "../errors.js";
import { makeScope } from "../traces.js";
import {
  arrayField,
  attributesField,
  isObject,
  type JsonObject,
  JsonShapeError,
  objectField,
  show,
  stringField,
  structural,
} from "./common.js";

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

/** Calls `visit` once per scope group that has an item list, in request order. */
export function forEachScopeGroup(
  body: unknown,
  names: SignalFieldNames,
  visit: (
    resource: Attributes,
    scope: InstrumentationScope,
    items: unknown[],
    resourceIndex: number,
    scopeIndex: number,
  ) => void,
): void {
  if (!isObject(body)) throw new OtlpDecodeError("request body is not a JSON object");
  const [resourcesName, resourcesSnake] = names.resources;
  const [scopesName, scopesSnake] = names.scopes;
  const resources = structural("request", () => arrayField(body, resourcesName, resourcesSnake));
  if (resources === undefined) return;
  for (let i = 0; i < resources.length; i++) {
    const group = resources[i];
    const path = `${resourcesName}[${i}]`;
    if (!isObject(group)) throw new OtlpDecodeError(`${path} is not an object`);
    const resource = structural(`${path}.resource`, () => {
      const r = objectField(group, "resource");
      return r === undefined ? {} : attributesField(r);
    });
    const scopes = structural(path, () => arrayField(group, scopesName, scopesSnake));
    if (scopes === undefined) continue;
    for (let j = 0; j < scopes.length; j++) {
      const scopeGroup = scopes[j];
      const scopePath = `${path}.${scopesName}[${j}]`;
      if (!isObject(scopeGroup)) throw new OtlpDecodeError(`${scopePath} is not an object`);
      const scope = structural(`${scopePath}.scope`, () => {
        const s = objectField(scopeGroup, "scope");
        if (s === undefined) return makeScope("", "", {});
        return makeScope(stringField(s, "name"), stringField(s, "version"), attributesField(s));
      });
      const items = structural(scopePath, () => arrayField(scopeGroup, names.items[0], names.items[1]));
      if (items !== undefined) visit(resource, scope, items, i, j);
    }
  }
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
