/** What a model needs to know of one span in a line: its key attributes, its error, where text matched. */
import { pathReadsOf, testPathsIn } from "../domain/attribute-paths.js";
import { failureNameOf } from "../domain/error-fingerprint.js";
import { failureOf } from "../domain/failure.js";
import { parseQuery, QueryError } from "../domain/query.js";
import { aliasReadsOf } from "../domain/semconv-aliases.js";
import type { AttrValue, Attributes as DomainAttributes } from "../domain/span.js";
import { formatUsd } from "../domain/usd-text.js";
import type { Attributes, SpanJson } from "../protocol.js";
import { valueEquals } from "../store/span-query.js";
import { cut, valueText } from "./format.js";

function first(attributes: Attributes, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (value !== undefined && value !== null && value !== "") return valueText(value);
  }
  return undefined;
}

/** The attributes that say what a span did (HTTP, database, RPC, messaging, LLM), as `key=value` parts. */
export function keyAttributes(span: SpanJson): string[] {
  const a = span.attributes;
  const parts: string[] = [];
  const method = first(a, "http.request.method", "http.method");
  const route = first(a, "http.route") ?? first(a, "url.path", "http.target", "url.full", "http.url");
  if (method !== undefined || route !== undefined) parts.push(`http=${[method, route].filter(Boolean).join(" ")}`);
  const status = first(a, "http.response.status_code", "http.status_code");
  if (status !== undefined) parts.push(`status=${status}`);
  const statement = first(a, "db.query.text", "db.statement");
  const dbSystem = first(a, "db.system.name", "db.system");
  if (statement !== undefined) parts.push(`db=${cut(statement, 100)}`);
  else if (dbSystem !== undefined)
    parts.push(`db=${[dbSystem, first(a, "db.operation.name", "db.operation")].filter(Boolean).join(" ")}`);
  const rpc = first(a, "rpc.method");
  if (rpc !== undefined) parts.push(`rpc=${[first(a, "rpc.service"), rpc].filter(Boolean).join("/")}`);
  const destination = first(a, "messaging.destination.name", "messaging.destination");
  if (destination !== undefined) parts.push(`queue=${cut(destination, 60)}`);
  const peer = first(a, "peer.service");
  if (peer !== undefined && route === undefined) parts.push(`peer=${cut(peer, 60)}`);
  const cost = span.llmCost;
  if (cost !== undefined) {
    // As llm_usage, the LLM page and the trace page count them: the model that answered, every input
    // token (cache reads among them, however the span reports them), the cost at the prices in use.
    parts.push(`model=${cut(cost.model, 60)}`);
    if (cost.usageReported === false) parts.push("tokens=not reported");
    else {
      const cached = cost.cachedInputTokens > 0 ? ` (${cost.cachedInputTokens} cached)` : "";
      parts.push(`tokens=${cost.inputTokens}in${cached}/${cost.outputTokens}out`);
      parts.push(`cost=${cost.usd === null ? "no price" : formatUsd(cost.usd)}`);
    }
    return parts;
  }
  const model = first(a, "gen_ai.response.model", "gen_ai.request.model");
  if (model !== undefined) parts.push(`model=${cut(model, 60)}`);
  const input = first(a, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens");
  const output = first(a, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens");
  if (input !== undefined || output !== undefined) parts.push(`tokens=${input ?? "?"}in/${output ?? "?"}out`);
  return parts;
}

/**
 * What the span says failed (the server's rule, `failureOf`); for a failing span that says nothing, its
 * failed answer (`HTTP 500`, `gRPC 14`) or `error.type`, as the Errors page and `tail errors` name it,
 * else "(no message)".
 */
export function errorText(span: SpanJson): string | undefined {
  const failure = failureOf(span);
  if (failure !== null) return cut(failure.message, 200);
  if (span.status.code !== "ERROR") return undefined;
  const named = failureNameOf(span.attributes);
  return named === null ? "(no message)" : cut(named, 200);
}

/**
 * Where lower-cased `needle` occurs in what the server's free-text search reads (name, status
 * message, attribute values, event names and attribute values), as a short `field: text`; null when nowhere.
 */
export function whereMatched(span: SpanJson, needle: string): string | null {
  const hit = (text: string) => text.toLowerCase().includes(needle);
  if (hit(span.name)) return `name: ${cut(span.name, 80)}`;
  if (span.status.message && hit(span.status.message)) return `status: ${cut(span.status.message, 80)}`;
  const inAttributes = (prefix: string, attributes: Attributes): string | null => {
    for (const [key, value] of Object.entries(attributes)) {
      const text = valueText(value);
      if (hit(text)) return `${prefix}${key}=${snippet(text, needle)}`;
    }
    return null;
  };
  const attribute = inAttributes("", span.attributes);
  if (attribute !== null) return attribute;
  for (const event of span.events) {
    if (hit(event.name)) return `event: ${cut(event.name, 80)}`;
    const inEvent = inAttributes(`event ${event.name}: `, event.attributes);
    if (inEvent !== null) return inEvent;
  }
  return null;
}

/** About 80 characters of `text` around the first occurrence of `needle`. */
function snippet(text: string, needle: string): string {
  const line = text.replace(/\s+/g, " ");
  const at = line.toLowerCase().indexOf(needle);
  if (line.length <= 80 || at < 0) return cut(line, 80);
  const start = Math.max(0, Math.min(at - 30, line.length - 80));
  return `${start > 0 ? "…" : ""}${line.slice(start, start + 80)}${start + 80 < line.length ? "…" : ""}`;
}

/**
 * What search_spans looks for, read as the app's search box reads it: text in a span's name, status
 * message, attribute or event values; a single word (`http.route`, `db.statement`) also names an
 * attribute the span has (span, resource or event, older and newer semconv names alike); `key=value`
 * (or `key~text`) also finds that attribute's value. The text itself is always looked for too, so text
 * that only reads like a comparison (`sku = 'lamp-42'` in a SQL statement) is still found. `query` is
 * what to send the trace list's `q` for it.
 */
export interface SpanSearch {
  needle: string;
  /** The text read as an attribute's name, when it is a single word. */
  key: string | null;
  attribute: { key: string; op: "=" | "~"; value: string; number: number | null } | null;
  query: string;
}

export function spanSearchOf(text: string, quote: (value: string) => string): SpanSearch {
  const plain: SpanSearch = { needle: text.toLowerCase(), key: null, attribute: null, query: quote(text) };
  let node: ReturnType<typeof parseQuery>;
  try {
    node = parseQuery(text);
  } catch (error) {
    if (error instanceof QueryError) return plain;
    throw error;
  }
  // An unquoted word is the search box's "text, or an attribute of that name".
  if (node?.type === "text" && node.alsoKey && node.text === text) return { ...plain, key: text, query: text };
  if (node?.type === "attribute" && (node.op === "=" || node.op === "~")) {
    const { key, op, value, number } = node;
    return { ...plain, attribute: { key, op, value, number }, query: `${plain.query} | ${text}` };
  }
  return plain;
}

/** Where `search` matched in the span, as a short `field: text`; null when it did not. */
export function whereSearchMatched(span: SpanJson, search: SpanSearch): string | null {
  const where = whereMatched(span, search.needle);
  if (where !== null) return where;
  if (search.key !== null) {
    const found = attributeOf(span, search.key, () => true);
    if (found !== null) return `has ${found.where}${found.key}=${snippet(valueText(found.value), "")}`;
  }
  const attribute = search.attribute;
  if (attribute === null) return null;
  const lower = attribute.value.toLowerCase();
  const test =
    attribute.op === "~"
      ? (value: unknown) => valueText(value).toLowerCase().includes(lower)
      : (value: unknown) => valueEquals(value as AttrValue, attribute.value, attribute.number);
  const found = attributeOf(span, attribute.key, test);
  return found === null ? null : `${found.where}${found.key}=${snippet(valueText(found.value), lower)}`;
}

/**
 * The first attribute of `key` (or a semconv alias of it) whose value passes `test`: the span's, its
 * resource's, its events'; then, for a dotted key, a value inside a map attribute it names as a path
 * (`app.customer.tier` in `app.customer: {tier: "gold"}`), as the query language reads it.
 */
function attributeOf(
  span: SpanJson,
  key: string,
  test: (value: unknown) => boolean,
): { where: string; key: string; value: unknown } | null {
  const places: [string, Attributes][] = [
    ["", span.attributes],
    ["resource ", span.resource],
    ...span.events.map((event): [string, Attributes] => [`event ${event.name}: `, event.attributes]),
  ];
  for (const read of aliasReadsOf(key)) {
    for (const [where, attributes] of places) {
      if (!Object.hasOwn(attributes, read.key)) continue;
      const value = attributes[read.key];
      if (value !== undefined && value !== null && test(value)) return { where, key: read.key, value };
    }
  }
  const paths = pathReadsOf(key);
  if (paths.length === 0) return null;
  for (const [where, attributes] of places) {
    let found: AttrValue | undefined;
    const passes = (value: AttrValue) => {
      if (value === null || !test(value)) return false;
      found = value;
      return true;
    };
    if (testPathsIn(attributes as DomainAttributes, paths, passes)) return { where, key, value: found };
  }
  return null;
}
