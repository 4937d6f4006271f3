/**
 * What span attributes mean: grouping by semantic-convention namespace, the key facts of HTTP,
 * database and messaging spans (reading both current and older attribute names), and exceptions
 * (GenAI spans: genai.ts). Pure, so every alias rule is unit-tested.
 */
import type { Attributes, AttrValue } from "../../../../src/protocol";

export type GroupId = "http" | "db" | "messaging" | "genai" | "exception" | "other";

export interface AttributeEntry {
  key: string;
  value: AttrValue;
}

export interface AttributeGroup {
  id: GroupId;
  title: string;
  entries: AttributeEntry[];
}

const GROUPS: { id: GroupId; title: string; prefixes: string[] }[] = [
  { id: "http", title: "HTTP", prefixes: ["http.", "url.", "server.", "client.", "user_agent.", "network."] },
  { id: "db", title: "Database", prefixes: ["db."] },
  { id: "messaging", title: "Messaging", prefixes: ["messaging."] },
  { id: "genai", title: "GenAI", prefixes: ["gen_ai."] },
  { id: "exception", title: "Exception", prefixes: ["exception."] },
];

export function groupOf(key: string): GroupId {
  for (const group of GROUPS) {
    if (group.prefixes.some((prefix) => key.startsWith(prefix))) return group.id;
  }
  return "other";
}

/** Where a connection's own attributes (peer address and port, network) are told, whatever the protocol. */
const CONNECTION_PREFIXES = ["server.", "client.", "network."];
const HTTP_OWN_PREFIXES = ["http.", "url.", "user_agent."];

/**
 * The group a span's connection attributes join: the protocol it speaks (a database call's
 * `server.address` and `server.port` are the database's), HTTP when it names none.
 */
function connectionGroupOf(keys: readonly string[]): GroupId {
  const has = (prefix: string) => keys.some((key) => key.startsWith(prefix));
  if (HTTP_OWN_PREFIXES.some(has)) return "http";
  if (has("db.")) return "db";
  if (has("messaging.")) return "messaging";
  if (has("gen_ai.")) return "genai";
  return "http";
}

/** Attributes split into meaningful groups (fixed order, empty ones left out), keys sorted in each. */
export function groupAttributes(attributes: Attributes): AttributeGroup[] {
  const buckets = new Map<GroupId, AttributeEntry[]>();
  const keys = Object.keys(attributes).sort();
  const connection = connectionGroupOf(keys);
  for (const key of keys) {
    const id = CONNECTION_PREFIXES.some((prefix) => key.startsWith(prefix)) ? connection : groupOf(key);
    const entry = { key, value: attributes[key]! };
    const bucket = buckets.get(id);
    if (bucket) bucket.push(entry);
    else buckets.set(id, [entry]);
  }
  const order = [...GROUPS, { id: "other" as const, title: "Other" }];
  return order.flatMap(({ id, title }) => {
    const entries = buckets.get(id);
    return entries ? [{ id, title, entries }] : [];
  });
}

/** An attribute value as display text: scalars as themselves, arrays and maps as indented JSON. */
export function attributeValueText(value: AttrValue): string {
  if (value === null) return "null";
  if (typeof value === "object") return JSON.stringify(value, null, 2);
  return String(value);
}

/**
 * Attributes as one JSON object, keys sorted as the details list them, indented: what "Copy as JSON"
 * puts on the clipboard, to paste into a test, an issue or another tool.
 */
export function attributesJsonText(attributes: Attributes): string {
  // No prototype, so a key named "__proto__" is copied as a key like any other.
  const sorted = Object.create(null) as Attributes;
  for (const key of Object.keys(attributes).sort()) sorted[key] = attributes[key] as AttrValue;
  return JSON.stringify(sorted, null, 2);
}

/** Keys longer than this stay one piece (wrapping anywhere): a hostile key of dots must not become thousands of elements. */
const MAX_BROKEN_KEY = 256;

/**
 * An attribute key cut after each "." and "_" ("http.response.status_code" → "http.",
 * "response.", "status_", "code"): where a key too long for its column may wrap.
 */
export function keyBreakPieces(key: string): string[] {
  if (key.length > MAX_BROKEN_KEY) return [key];
  const pieces = (key.match(/[^._]*(?:[._]+|$)/g) ?? []).filter((piece) => piece !== "");
  return pieces.length > 0 ? pieces : [key];
}

/** Entries whose key or value text contains `filter` (case-insensitive). */
export function filterEntries(entries: readonly AttributeEntry[], filter: string): AttributeEntry[] {
  const needle = filter.trim().toLowerCase();
  if (needle === "") return [...entries];
  return entries.filter(
    (entry) =>
      entry.key.toLowerCase().includes(needle) || attributeValueText(entry.value).toLowerCase().includes(needle),
  );
}

/** Filters every group, dropping the ones left empty. */
export function filterGroups(groups: readonly AttributeGroup[], filter: string): AttributeGroup[] {
  return groups.flatMap((group) => {
    const entries = filterEntries(group.entries, filter);
    return entries.length > 0 ? [{ ...group, entries }] : [];
  });
}

/** The first of `keys` present (the current semantic-convention name first, then older ones). */
export function pick(attributes: Attributes, ...keys: string[]): AttrValue | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (value !== undefined && value !== null && value !== "") return value;
  }
  return undefined;
}

export function pickText(attributes: Attributes, ...keys: string[]): string | undefined {
  const value = pick(attributes, ...keys);
  return value === undefined ? undefined : attributeValueText(value);
}

export function pickNumber(attributes: Attributes, ...keys: string[]): number | undefined {
  const value = pick(attributes, ...keys);
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

export interface HttpFacts {
  method?: string;
  statusCode?: number;
  route?: string;
  url?: string;
}

export function httpFacts(attributes: Attributes): HttpFacts | null {
  const method = pickText(attributes, "http.request.method", "http.method");
  const statusCode = pickNumber(attributes, "http.response.status_code", "http.status_code");
  const route = pickText(attributes, "http.route");
  let url = pickText(attributes, "url.full", "http.url");
  if (url === undefined) {
    const path = pickText(attributes, "url.path", "http.target");
    const host = pickText(attributes, "server.address", "http.host", "net.peer.name");
    if (path !== undefined) {
      const query = pickText(attributes, "url.query");
      const scheme = pickText(attributes, "url.scheme", "http.scheme");
      const port = pickText(attributes, "server.port", "net.peer.port");
      const origin = host === undefined ? "" : `${scheme ? `${scheme}://` : ""}${host}${port ? `:${port}` : ""}`;
      url = `${origin}${path}${query ? `?${query}` : ""}`;
    }
  }
  if (method === undefined && statusCode === undefined && route === undefined && url === undefined) return null;
  const facts: HttpFacts = {};
  if (method !== undefined) facts.method = method;
  if (statusCode !== undefined) facts.statusCode = statusCode;
  if (route !== undefined) facts.route = route;
  if (url !== undefined) facts.url = url;
  return facts;
}

export interface DbFacts {
  system?: string;
  namespace?: string;
  operation?: string;
  collection?: string;
  statement?: string;
}

export function dbFacts(attributes: Attributes): DbFacts | null {
  const entries: [keyof DbFacts, string | undefined][] = [
    ["system", pickText(attributes, "db.system.name", "db.system")],
    ["namespace", pickText(attributes, "db.namespace", "db.name")],
    ["operation", pickText(attributes, "db.operation.name", "db.operation")],
    ["collection", pickText(attributes, "db.collection.name", "db.sql.table", "db.mongodb.collection")],
    ["statement", pickText(attributes, "db.query.text", "db.statement")],
  ];
  const facts: DbFacts = {};
  for (const [key, value] of entries) if (value !== undefined) facts[key] = value;
  return Object.keys(facts).length > 0 ? facts : null;
}

export interface MessagingFacts {
  system?: string;
  destination?: string;
  operation?: string;
  messageId?: string;
}

export function messagingFacts(attributes: Attributes): MessagingFacts | null {
  const entries: [keyof MessagingFacts, string | undefined][] = [
    ["system", pickText(attributes, "messaging.system")],
    ["destination", pickText(attributes, "messaging.destination.name", "messaging.destination")],
    ["operation", pickText(attributes, "messaging.operation.type", "messaging.operation.name", "messaging.operation")],
    ["messageId", pickText(attributes, "messaging.message.id", "messaging.message_id")],
  ];
  const facts: MessagingFacts = {};
  for (const [key, value] of entries) if (value !== undefined) facts[key] = value;
  return Object.keys(facts).length > 0 ? facts : null;
}

export interface ExceptionInfo {
  type?: string;
  message?: string;
  stacktrace?: string;
  /** The whole message's and stack trace's lengths when only their beginnings are at hand (an error group's sample). */
  messageLength?: number;
  stacktraceLength?: number;
  escaped?: boolean;
}

/** An exception from `exception.*` attributes (of an `exception` event or of the span itself). */
export function exceptionInfo(attributes: Attributes): ExceptionInfo | null {
  const type = pickText(attributes, "exception.type");
  const message = pickText(attributes, "exception.message");
  const stacktrace = pickText(attributes, "exception.stacktrace");
  if (type === undefined && message === undefined && stacktrace === undefined) return null;
  const info: ExceptionInfo = {};
  if (type !== undefined) info.type = type;
  if (message !== undefined) info.message = message;
  if (stacktrace !== undefined) info.stacktrace = stacktrace;
  const escaped = attributes["exception.escaped"];
  if (typeof escaped === "boolean") info.escaped = escaped;
  else if (escaped === "true" || escaped === "false") info.escaped = escaped === "true";
  return info;
}

/**
 * The `exception.*` keys an exception block shows (an empty message or stack trace it leaves out):
 * any other one, and those, stays with the event's other attributes, so none goes unseen.
 */
export function shownExceptionKeys(info: ExceptionInfo): string[] {
  const keys: string[] = [];
  if (info.type !== undefined) keys.push("exception.type");
  if (info.message) keys.push("exception.message");
  if (info.stacktrace) keys.push("exception.stacktrace");
  if (info.escaped !== undefined) keys.push("exception.escaped");
  return keys;
}

export interface StackLine {
  text: string;
  /** A frame from a dependency or the runtime: shown dimmer so the app's own frames stand out. */
  library: boolean;
  /** Its leading white space, in characters (a tab as 4): a wrapped line continues further in. */
  indent: number;
}

function indentOf(text: string): number {
  let width = 0;
  for (const char of text) {
    if (char === " ") width++;
    else if (char === "\t") width += 4 - (width % 4);
    else break;
  }
  return width;
}

const LIBRARY_FRAME =
  /node_modules|site-packages|dist-packages|<frozen |\(node:|\binternal\/|lib\/python\d|\/usr\/lib\/|java\.base\//;

const PYTHON_FRAME = /^\s*File "/;

export function stackLines(stacktrace: string): StackLine[] {
  const lines: StackLine[] = [];
  let previous: StackLine | undefined;
  for (const text of stacktrace.replace(/\r\n?/g, "\n").split("\n")) {
    // Python prints each frame's source line under its `File "…"` line: it belongs to that frame.
    const sourceOfPythonFrame =
      previous !== undefined && PYTHON_FRAME.test(previous.text) && !PYTHON_FRAME.test(text) && /^\s{4,}\S/.test(text);
    const line = {
      text,
      library: sourceOfPythonFrame ? previous!.library : LIBRARY_FRAME.test(text),
      indent: indentOf(text),
    };
    lines.push(line);
    previous = line;
  }
  return lines;
}
