/**
 * What a GenAI span says: provider, models, tokens, finish reasons, and the conversation (system
 * instructions, prompts, completions, tool calls and their results) from the current
 * `gen_ai.*.messages` attributes, the older indexed attributes and the older per-message events.
 * Pure, so every shape is unit-tested.
 */
import type { Attributes, AttrValue, LlmCostJson, LogRecordJson, SpanEventJson } from "../../../../src/protocol";
import { formatCount } from "../../lib/format";
import { indentJson, looksLikeJson } from "../../lib/json-indent";
import { costText } from "../llm/usage-text";
import { logEventName } from "../logs/log-event";
import { attributeValueText, pick, pickNumber, pickText } from "./attribute-groups";

export interface GenAiToolCall {
  id?: string;
  name: string;
  /** The arguments as sent (JSON indented as written when they parse). */
  arguments: string;
}

export interface GenAiMessage {
  role: string;
  content: string;
  /** Tools the model asked to call in this message. */
  toolCalls?: GenAiToolCall[];
  /** For a tool's result: the id of the call it answers. */
  toolCallId?: string;
  /**
   * The message was sent without its content: instrumentations record prompts and completions only when
   * asked (OpenTelemetry's read OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true), and send an
   * empty message otherwise.
   */
  notRecorded?: true;
}

export interface GenAiFacts {
  provider?: string;
  operation?: string;
  requestModel?: string;
  responseModel?: string;
  inputTokens?: number;
  outputTokens?: number;
  finishReasons: string[];
  /** System instructions first (`gen_ai.system_instructions`), then the input messages. */
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
    if (!looksLikeJson(value)) return [{ role: defaultRole, content: value }];
    try {
      data = JSON.parse(value);
    } catch {
      return [{ role: defaultRole, content: value }];
    }
  }
  const items = Array.isArray(data) ? data : [data];
  return items.map((item) => messageFrom(item, defaultRole));
}

/**
 * Arguments or a result as text: strings as they are (JSON indented as written, every digit of a
 * number and every key kept, when they parse), other values as JSON.
 */
function jsonText(value: unknown): string {
  if (typeof value === "string") return indentJson(value) ?? value;
  return value === undefined ? "" : JSON.stringify(value, null, 2);
}

function toolCallFrom(raw: Record<string, unknown>): GenAiToolCall {
  // Current conventions: {type:"tool_call", id, name, arguments}; OpenAI: {id, function:{name, arguments}}.
  const fn = (raw.function ?? {}) as Record<string, unknown>;
  const name = raw.name ?? fn.name;
  const call: GenAiToolCall = {
    name: typeof name === "string" ? name : "(unnamed tool)",
    arguments: jsonText(raw.arguments ?? fn.arguments),
  };
  if (typeof raw.id === "string") call.id = raw.id;
  return call;
}

function messageFrom(item: unknown, defaultRole: string): GenAiMessage {
  if (typeof item === "string") return { role: defaultRole, content: item };
  if (item === null || typeof item !== "object") return { role: defaultRole, content: String(item) };
  const record = item as Record<string, unknown>;
  const role = typeof record.role === "string" ? record.role : defaultRole;
  const message = record.message as Record<string, unknown> | undefined;
  const content = record.content ?? message?.content ?? record.parts ?? record.text;
  const result: GenAiMessage = { role, content: "" };
  const toolCalls: GenAiToolCall[] = [];
  const rawCalls = record.tool_calls ?? message?.tool_calls;
  if (Array.isArray(rawCalls)) {
    for (const call of rawCalls)
      if (call && typeof call === "object") toolCalls.push(toolCallFrom(call as Record<string, unknown>));
  }
  if (typeof record.tool_call_id === "string") result.toolCallId = record.tool_call_id;
  if (typeof content === "string") result.content = content;
  else if (Array.isArray(content)) {
    const texts: string[] = [];
    for (const part of content) {
      if (typeof part === "string") {
        texts.push(part);
        continue;
      }
      const p = (part ?? {}) as Record<string, unknown>;
      if (p.type === "tool_call") toolCalls.push(toolCallFrom(p));
      else if (p.type === "tool_call_response") {
        if (typeof p.id === "string") result.toolCallId = p.id;
        texts.push(jsonText(p.response ?? p.result ?? p.content));
      } else {
        const text = p.content ?? p.text;
        texts.push(typeof text === "string" ? text : JSON.stringify(part, null, 2));
      }
    }
    result.content = texts.join("\n");
  } else if (content !== undefined && content !== null) result.content = JSON.stringify(content, null, 2);
  else if (Object.keys(record).every((key) => key === "role")) result.notRecorded = true;
  else if (toolCalls.length === 0 && result.toolCallId === undefined) result.content = JSON.stringify(item, null, 2);
  if (toolCalls.length > 0) result.toolCalls = toolCalls;
  return result;
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

/** The current conventions' one event per call, with `gen_ai.input.messages` and `gen_ai.output.messages`. */
const INFERENCE_DETAILS = "gen_ai.client.inference.operation.details";

const PROMPT_EVENTS = new Set([
  "gen_ai.system.message",
  "gen_ai.user.message",
  "gen_ai.assistant.message",
  "gen_ai.tool.message",
]);

/**
 * A prompt event's message: its content, and the tool calls an assistant's turn asked for (its fields
 * beside the content, with no content at all when it only called tools) or the id of the call a tool's
 * result answers (`id`, as the conventions name it in a tool message).
 */
function promptEventMessages(role: string, attrs: Attributes): GenAiMessage[] {
  const messages = messagesFrom(attrs.content ?? attrs["gen_ai.event.content"], role);
  const calls = attrs.tool_calls;
  const callId = attrs.tool_call_id ?? (role === "tool" ? attrs.id : undefined);
  const hasCalls = Array.isArray(calls) && calls.length > 0;
  if (!hasCalls && typeof callId !== "string") {
    return messages.length > 0 ? messages : [{ role, content: "", notRecorded: true }];
  }
  const fields = messageFrom({ role, content: null, tool_calls: calls, tool_call_id: callId }, role);
  if (messages.length === 0) {
    // A tool's result naming its call, sent without the result itself.
    if (!hasCalls) fields.notRecorded = true;
    return [fields];
  }
  const [only] = messages;
  if (messages.length !== 1 || only === undefined) return messages;
  if (fields.toolCalls !== undefined) only.toolCalls = [...(only.toolCalls ?? []), ...fields.toolCalls];
  if (fields.toolCallId !== undefined) only.toolCallId ??= fields.toolCallId;
  return [only];
}

function eventMessages(events: readonly SpanEventJson[]): { prompt: GenAiMessage[]; completion: GenAiMessage[] } {
  const prompt: GenAiMessage[] = [];
  const completion: GenAiMessage[] = [];
  for (const event of events) {
    const attrs = event.attributes;
    if (event.name === "gen_ai.content.prompt") prompt.push(...messagesFrom(attrs["gen_ai.prompt"], "user"));
    else if (event.name === "gen_ai.content.completion") {
      completion.push(...messagesFrom(attrs["gen_ai.completion"], "assistant"));
    } else if (PROMPT_EVENTS.has(event.name)) {
      prompt.push(...promptEventMessages(event.name.slice("gen_ai.".length, -".message".length), attrs));
    } else if (event.name === "gen_ai.choice") {
      completion.push(...messagesFrom(attrs.message ?? attrs.content ?? attrs["gen_ai.event.content"], "assistant"));
    } else if (event.name === INFERENCE_DETAILS) {
      prompt.push(
        ...messagesFrom(attrs["gen_ai.system_instructions"], "system").map((m) => ({ ...m, role: "system" })),
        ...messagesFrom(attrs["gen_ai.input.messages"], "user"),
      );
      completion.push(...messagesFrom(attrs["gen_ai.output.messages"], "assistant"));
    }
  }
  return { prompt, completion };
}

/**
 * The conversation's events that an instrumentation wrote as log records in the span (the OpenTelemetry
 * OpenAI instrumentations for Node and Python do, since the conventions moved events to logs): the
 * event's name in `event_name` or the `event.name` attribute, the message in the body. As span events,
 * in time order, so the conversation reads the same whichever way it was sent.
 */
export function genAiLogEvents(logs: readonly LogRecordJson[] | undefined): SpanEventJson[] {
  const events: SpanEventJson[] = [];
  for (const log of logs ?? []) {
    const named = logEventName(log);
    if (named === undefined) continue;
    if (!PROMPT_EVENTS.has(named) && named !== "gen_ai.choice" && named !== INFERENCE_DETAILS) continue;
    const body = log.body;
    // A structured body holds the event's fields ({content}, {message, finish_reason}); text is the content.
    const fields: Attributes =
      body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Attributes) : { content: body };
    events.push({ name: named, timeUnixNano: log.timeUnixNano, attributes: { ...log.attributes, ...fields } });
  }
  return events.sort((a, b) => {
    const [x, y] = [BigInt(a.timeUnixNano), BigInt(b.timeUnixNano)];
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * What a GenAI span says of its call. `logEvents`: the conversation's events written as log records in
 * the span (genAiLogEvents), read for the prompt (but its system instructions) or the completion only
 * where the span itself says none:
 * an instrumentation that writes the messages both ways (as span events, or in attributes, and as log
 * records) would show the conversation twice.
 */
export function genAiFacts(
  attributes: Attributes,
  events: readonly SpanEventJson[] = [],
  logEvents: readonly SpanEventJson[] = [],
): GenAiFacts | null {
  const provider = pickText(attributes, "gen_ai.provider.name", "gen_ai.system");
  const requestModel = pickText(attributes, "gen_ai.request.model");
  const responseModel = pickText(attributes, "gen_ai.response.model");
  const operation = pickText(attributes, "gen_ai.operation.name");
  const inputTokens = pickNumber(attributes, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens");
  const outputTokens = pickNumber(attributes, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens");
  const finishReasons = asList(pick(attributes, "gen_ai.response.finish_reasons"));
  const fromEvents = eventMessages(events);
  const prompt = [
    ...messagesFrom(pick(attributes, "gen_ai.system_instructions"), "system").map((m) => ({ ...m, role: "system" })),
    ...messagesFrom(pick(attributes, "gen_ai.input.messages", "gen_ai.prompt"), "user"),
    ...indexedMessages(attributes, "gen_ai.prompt", "user"),
    ...fromEvents.prompt,
  ];
  const completion = [
    ...messagesFrom(pick(attributes, "gen_ai.output.messages", "gen_ai.completion"), "assistant"),
    ...indexedMessages(attributes, "gen_ai.completion", "assistant"),
    ...fromEvents.completion,
  ];
  if (logEvents.length > 0) {
    const fromLogs = eventMessages(logEvents);
    // A span that holds only the system instructions (in an attribute) still takes the rest of the
    // prompt from the log records, but not their copy of those instructions.
    if (!prompt.some((message) => message.role !== "system")) {
      const system = prompt.length > 0;
      prompt.push(...fromLogs.prompt.filter((message) => !system || message.role !== "system"));
    }
    if (completion.length === 0) completion.push(...fromLogs.completion);
  }
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

/** Whether a span is a GenAI call (an LLM marker in the waterfall): any of the keys that name one. */
export function isGenAiSpan(attributes: Attributes): boolean {
  return (
    attributes["gen_ai.operation.name"] !== undefined ||
    attributes["gen_ai.provider.name"] !== undefined ||
    attributes["gen_ai.system"] !== undefined ||
    attributes["gen_ai.request.model"] !== undefined
  );
}

export interface LlmTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** USD of the calls whose model has a price. */
  costUsd: number;
  /** Calls that name a model without a price (their cost is unknown, not 0). */
  unpriced: number;
  /** Calls that reported no token usage (counted as 0 tokens and $0, though what they used is unknown). */
  noUsage: number;
  /** Of `noUsage`, the calls to a model without a price (in `unpriced` too). */
  unpricedNoUsage: number;
}

/** LLM calls in a trace and their tokens (spans that report none count as calls with 0). */
export function llmTotals(spans: readonly { attributes: Attributes; llmCost?: LlmCostJson }[]): LlmTotals {
  const totals: LlmTotals = {
    calls: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    unpriced: 0,
    noUsage: 0,
    unpricedNoUsage: 0,
  };
  for (const { attributes, llmCost } of spans) {
    if (!isGenAiSpan(attributes)) continue;
    // Tool executions are GenAI spans but not model calls.
    if (attributes["gen_ai.operation.name"] === "execute_tool") continue;
    totals.calls++;
    // The server's count includes cache reads and writes, which Anthropic's input tokens leave out.
    totals.inputTokens +=
      llmCost?.inputTokens ?? pickNumber(attributes, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens") ?? 0;
    totals.outputTokens += pickNumber(attributes, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens") ?? 0;
    if (llmCost?.usd != null) totals.costUsd += llmCost.usd;
    else if (llmCost) totals.unpriced++;
    if (llmCost?.usageReported === false) totals.noUsage++;
    if (llmCost?.usageReported === false && llmCost.usd == null) totals.unpricedNoUsage++;
  }
  return totals;
}

/**
 * The trace header's LLM line: "2 calls · 1,200 in · 80 out · $0.0031 + 1 call without usage", its cost
 * said as the LLM page says a group's (each call of unknown cost named once); "1 call · usage not
 * reported" when no call reported its tokens (0 tokens and $0 would read as free).
 */
export function llmTotalsText(totals: LlmTotals): string {
  const calls = `${formatCount(totals.calls)} call${totals.calls === 1 ? "" : "s"}`;
  if (totals.noUsage === totals.calls) return `${calls} · usage not reported`;
  const cost = costText({ ...totals, usd: totals.costUsd });
  return [calls, `${formatCount(totals.inputTokens)} in`, `${formatCount(totals.outputTokens)} out`, cost].join(" · ");
}
