/**
 * What span attributes mean: grouping by semantic-convention namespace, the key facts of HTTP,
 * database, messaging and GenAI spans (reading both current and older attribute names), and
 * exceptions. Pure, so every alias rule is unit-tested.
 */
import type { Attributes, AttrValue, SpanEventJson } from "../../../../src/protocol";

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

/** Attributes split into meaningful groups (fixed order, empty ones left out), keys sorted in each. */
export function groupAttributes(attributes: Attributes): AttributeGroup[] {
  const buckets = new Map<GroupId, AttributeEntry[]>();
  for (const key of Object.keys(attributes).sort()) {
    const id = groupOf(key);
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

function pickText(attributes: Attributes, ...keys: string[]): string | undefined {
  const value = pick(attributes, ...keys);
  return value === undefined ? undefined : attributeValueText(value);
}

function pickNumber(attributes: Attributes, ...keys: string[]): number | undefined {
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

export interface GenAiMessage {
  role: string;
  content: string;
}

export interface GenAiFacts {
  provider?: string;
  operation?: string;
  requestModel?: string;
  responseModel?: string;
  inputTokens?: number;
  outputTokens?: number;
  finishReasons: string[];
  prompt: GenAiMessage[];
  completion: GenAiMessage[];
}

function asList(value: AttrValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((item) => attributeValueText(item));
  if (typeof value === "string" && value.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed.map((item) => (typeof item === "string" ? item : JSON.stringify(item)));
    } catch {
      // Not JSON after all: one reason.
    }
  }
  return [attributeValueText(value)];
}

/** Message content from the shapes SDKs use: plain text, {role, content}, or {role, parts:[{content}]}. */
function messagesFrom(value: AttrValue | undefined, defaultRole: string): GenAiMessage[] {
  if (value === undefined || value === null) return [];
  let data: unknown = value;
  if (typeof value === "string") {
    const text = value.trim();
    if (!(text.startsWith("[") || text.startsWith("{"))) return [{ role: defaultRole, content: value }];
    try {
      data = JSON.parse(text);
    } catch {
      return [{ role: defaultRole, content: value }];
    }
  }
  const items = Array.isArray(data) ? data : [data];
  return items.map((item) => messageFrom(item, defaultRole));
}

function messageFrom(item: unknown, defaultRole: string): GenAiMessage {
  if (typeof item === "string") return { role: defaultRole, content: item };
  if (item === null || typeof item !== "object") return { role: defaultRole, content: String(item) };
  const record = item as Record<string, unknown>;
  const role = typeof record.role === "string" ? record.role : defaultRole;
  const message = record.message as Record<string, unknown> | undefined;
  const content = record.content ?? message?.content ?? record.parts ?? record.text;
  if (typeof content === "string") return { role, content };
  if (Array.isArray(content)) {
    const texts = content.map((part) => {
      if (typeof part === "string") return part;
      const p = part as Record<string, unknown> | null;
      const text = p?.content ?? p?.text;
      return typeof text === "string" ? text : JSON.stringify(part, null, 2);
    });
    return { role, content: texts.join("\n") };
  }
  return { role, content: JSON.stringify(item, null, 2) };
}

/** Old indexed attributes: gen_ai.prompt.0.role / gen_ai.prompt.0.content, … */
function indexedMessages(attributes: Attributes, prefix: string, defaultRole: string): GenAiMessage[] {
  const messages: GenAiMessage[] = [];
  for (let i = 0; i < 1000; i++) {
    const content = attributes[`${prefix}.${i}.content`];
    const role = attributes[`${prefix}.${i}.role`];
    if (content === undefined && role === undefined) break;
    messages.push({
      role: typeof role === "string" ? role : defaultRole,
      content: content === undefined ? "" : attributeValueText(content),
    });
  }
  return messages;
}

const PROMPT_EVENTS = new Set([
  "gen_ai.system.message",
  "gen_ai.user.message",
  "gen_ai.assistant.message",
  "gen_ai.tool.message",
]);

function eventMessages(events: readonly SpanEventJson[]): { prompt: GenAiMessage[]; completion: GenAiMessage[] } {
  const prompt: GenAiMessage[] = [];
  const completion: GenAiMessage[] = [];
  for (const event of events) {
    const attrs = event.attributes;
    if (event.name === "gen_ai.content.prompt") prompt.push(...messagesFrom(attrs["gen_ai.prompt"], "user"));
    else if (event.name === "gen_ai.content.completion") {
      completion.push(...messagesFrom(attrs["gen_ai.completion"], "assistant"));
    } else if (PROMPT_EVENTS.has(event.name)) {
      const role = event.name.slice("gen_ai.".length, -".message".length);
      prompt.push(...messagesFrom(attrs.content ?? attrs["gen_ai.event.content"], role));
    } else if (event.name === "gen_ai.choice") {
      completion.push(...messagesFrom(attrs.message ?? attrs.content ?? attrs["gen_ai.event.content"], "assistant"));
    }
  }
  return { prompt, completion };
}

export function genAiFacts(attributes: Attributes, events: readonly SpanEventJson[] = []): GenAiFacts | null {
  const provider = pickText(attributes, "gen_ai.provider.name", "gen_ai.system");
  const requestModel = pickText(attributes, "gen_ai.request.model");
  const responseModel = pickText(attributes, "gen_ai.response.model");
  const operation = pickText(attributes, "gen_ai.operation.name");
  const inputTokens = pickNumber(attributes, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens");
  const outputTokens = pickNumber(attributes, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens");
  const finishReasons = asList(pick(attributes, "gen_ai.response.finish_reasons"));
  const fromEvents = eventMessages(events);
  const prompt = [
    ...messagesFrom(pick(attributes, "gen_ai.input.messages", "gen_ai.prompt"), "user"),
    ...indexedMessages(attributes, "gen_ai.prompt", "user"),
    ...fromEvents.prompt,
  ];
  const completion = [
    ...messagesFrom(pick(attributes, "gen_ai.output.messages", "gen_ai.completion"), "assistant"),
    ...indexedMessages(attributes, "gen_ai.completion", "assistant"),
    ...fromEvents.completion,
  ];
  const hasAny =
    [provider, requestModel, responseModel, operation, inputTokens, outputTokens].some((v) => v !== undefined) ||
    finishReasons.length > 0 ||
    prompt.length > 0 ||
    completion.length > 0;
  if (!hasAny) return null;
  const facts: GenAiFacts = { finishReasons, prompt, completion };
  if (provider !== undefined) facts.provider = provider;
  if (operation !== undefined) facts.operation = operation;
  if (requestModel !== undefined) facts.requestModel = requestModel;
  if (responseModel !== undefined) facts.responseModel = responseModel;
  if (inputTokens !== undefined) facts.inputTokens = inputTokens;
  if (outputTokens !== undefined) facts.outputTokens = outputTokens;
  return facts;
}

export interface ExceptionInfo {
  type?: string;
  message?: string;
  stacktrace?: string;
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

export interface StackLine {
  text: string;
  /** A frame from a dependency or the runtime: shown dimmer so the app's own frames stand out. */
  library: boolean;
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
    const line = { text, library: sourceOfPythonFrame ? previous!.library : LIBRARY_FRAME.test(text) };
    lines.push(line);
    previous = line;
  }
  return lines;
}
