import { type Attributes, SpanKind } from "@opentelemetry/api";
import { type ChatCall, chatAttributes, type GenAiProvider } from "../attributes.js";
import type { DemoException, DemoSpan } from "../demo-span.js";
import type { ScenarioInput } from "./common.js";

/** Message parts as the GenAI semantic conventions shape them in gen_ai.input/output.messages. */
export type MessagePart =
  | { type: "text"; content: string }
  | { type: "tool_call"; id: string; name: string; arguments: Record<string, unknown> }
  | { type: "tool_call_response"; id: string; response: unknown };

export interface ChatMessage {
  role: "user" | "assistant" | "tool";
  parts: MessagePart[];
}

/** How the instrumentation captured prompts and completions (many setups capture none). */
export type ContentCapture = "attributes" | "events" | "none";

export interface ChatTurn {
  provider: GenAiProvider;
  model: string;
  responseModel: string;
  temperature: number;
  maxTokens: number;
  inputTokens: number;
  outputTokens: number;
  finishReason: string;
  durationMs: number;
  systemPrompt: string;
  input: ChatMessage[];
  output: MessagePart[];
  /** The call failed: no response, an exception instead. */
  failure?: DemoException;
}

/** A chat completion CLIENT span made by support-assistant; returns when it ended. */
export function chat(
  input: ScenarioInput,
  parent: DemoSpan,
  at: number,
  capture: ContentCapture,
  turn: ChatTurn,
): number {
  const { random } = input;
  const call: ChatCall = {
    provider: turn.provider,
    requestModel: turn.model,
    responseModel: turn.responseModel,
    responseId: turn.provider === "openai" ? `chatcmpl-${random.hex(24)}` : `msg_01${random.hex(22)}`,
    inputTokens: turn.inputTokens,
    outputTokens: turn.outputTokens,
    finishReasons: [turn.finishReason],
    temperature: turn.temperature,
    maxTokens: turn.maxTokens,
  };
  const attributes = chatAttributes(call);
  if (turn.failure !== undefined) {
    // A failed call has no response: no response model, id, usage or finish reason.
    for (const key of Object.keys(attributes)) {
      if (key.startsWith("gen_ai.response.") || key.startsWith("gen_ai.usage.")) delete attributes[key];
    }
  }
  const span = parent.child(input.tracers.tracer("support-assistant", turn.provider), `chat ${turn.model}`, at, {
    kind: SpanKind.CLIENT,
    attributes,
  });
  const end = at + turn.durationMs;
  if (capture === "attributes") recordContentAttributes(span, turn);
  if (capture === "events") recordContentEvents(span, turn, at, end);
  if (turn.failure !== undefined) span.fail(end, turn.failure);
  return span.end(end);
}

function recordContentAttributes(span: DemoSpan, turn: ChatTurn): void {
  span.set({
    "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: turn.systemPrompt }]),
    "gen_ai.input.messages": JSON.stringify(turn.input),
  });
  if (turn.failure === undefined) {
    span.set({
      "gen_ai.output.messages": JSON.stringify([
        { role: "assistant", parts: turn.output, finish_reason: turn.finishReason },
      ]),
    });
  }
}

/** The older convention, still emitted by some instrumentations: one event per message. */
function recordContentEvents(span: DemoSpan, turn: ChatTurn, at: number, end: number): void {
  const system = { "gen_ai.system": turn.provider };
  span.event("gen_ai.system.message", at, { ...system, content: turn.systemPrompt });
  for (const message of turn.input) {
    span.event(`gen_ai.${message.role}.message`, at, { ...system, ...eventBody(message.parts) });
  }
  if (turn.failure === undefined) {
    span.event("gen_ai.choice", end, {
      ...system,
      index: 0,
      finish_reason: turn.finishReason,
      message: JSON.stringify({ role: "assistant", ...eventBody(turn.output) }),
    });
  }
}

function eventBody(parts: MessagePart[]): Attributes {
  const text = parts.flatMap((part) => (part.type === "text" ? [part.content] : []));
  const calls = parts.flatMap((part) =>
    part.type === "tool_call"
      ? [{ id: part.id, type: "function", function: { name: part.name, arguments: JSON.stringify(part.arguments) } }]
      : [],
  );
  const response = parts.find((part) => part.type === "tool_call_response");
  return {
    ...(text.length > 0 ? { content: text.join("\n") } : {}),
    ...(calls.length > 0 ? { tool_calls: JSON.stringify(calls) } : {}),
    ...(response !== undefined ? { id: response.id, content: JSON.stringify(response.response) } : {}),
  };
}

/** An embeddings CLIENT span made by support-assistant; returns when it ended. */
export function embed(input: ScenarioInput, parent: DemoSpan, at: number, text: string): number {
  const span = parent.child(
    input.tracers.tracer("support-assistant", "openai"),
    "embeddings text-embedding-3-small",
    at,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.operation.name": "embeddings",
        "gen_ai.provider.name": "openai",
        "gen_ai.system": "openai",
        "gen_ai.request.model": "text-embedding-3-small",
        "gen_ai.response.model": "text-embedding-3-small",
        "gen_ai.usage.input_tokens": Math.ceil(text.length / 4),
        "gen_ai.embeddings.dimension.count": 1536,
        "server.address": "api.openai.com",
        "server.port": 443,
      },
    },
  );
  return span.end(at + input.random.latency(140));
}
