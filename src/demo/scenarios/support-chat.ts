import type { DemoSpan } from "../demo-span.js";
import { anthropicOverloaded } from "../exceptions.js";
import {
  callService,
  gap,
  type HttpOutcome,
  queryPostgres,
  runRedis,
  type Scenario,
  type ScenarioInput,
  serveFrontend,
} from "./common.js";
import { type ChatMessage, type ContentCapture, chat, embed, type MessagePart } from "./llm-calls.js";

interface Question {
  text: string;
  intent: "order_status" | "returns" | "product_question";
  answer: string;
}

const QUESTIONS: readonly Question[] = [
  {
    text: "Where is my order? It was supposed to arrive yesterday.",
    intent: "order_status",
    answer:
      "Your order shipped on Monday with DHL and is out for delivery today. You can follow it with tracking number JD014600006281234567.",
  },
  {
    text: "Can I return the rain jacket if it doesn't fit?",
    intent: "returns",
    answer:
      "Yes: unworn items can be returned within 30 days. Start a return from Orders → Return items and we'll email you a prepaid label.",
  },
  {
    text: "Are the trail running shoes waterproof?",
    intent: "product_question",
    answer:
      "They are water-resistant, not waterproof: the mesh upper sheds light rain and dries fast. For wet trails, the GTX version has a membrane.",
  },
  {
    text: "I ordered two hoodies but only got one, what happened?",
    intent: "order_status",
    answer:
      "Your order was split into two parcels; the second hoodie ships from another warehouse tomorrow. You won't be charged extra shipping.",
  },
];

const SYSTEM_PROMPT =
  "You are the support assistant of an outdoor gear shop. Answer briefly and only from the context.";
const CLASSIFIER_PROMPT =
  "Classify the customer's message as order_status, returns or product_question. Reply with the label only.";

const CLAUDE = {
  provider: "anthropic",
  model: "claude-sonnet-4-5",
  responseModel: "claude-sonnet-4-5-20250929",
  temperature: 0.3,
  maxTokens: 1024,
  systemPrompt: SYSTEM_PROMPT,
} as const;

/** A support question answered by an LLM agent: embeddings, vector search, OpenAI and Anthropic chats, a tool call. */
export const supportChat: Scenario = {
  name: "support chat (LLM)",
  weight: 12,
  run(input) {
    const question = input.random.pick(QUESTIONS);
    serveFrontend(input, { method: "POST", route: "/support/chat", path: "/support/chat" }, (root, at) => {
      const api = callService(
        input,
        root,
        { from: "web-frontend", to: "support-assistant", method: "POST", route: "/v1/assist", path: "/v1/assist" },
        at,
        (server, start) => answer(input, server, start, question),
      );
      return { end: api.end + gap(input), status: api.status };
    });
  },
};

function answer(input: ScenarioInput, server: DemoSpan, start: number, question: Question): HttpOutcome {
  const { random } = input;
  const conversation = random.int(1_000, 9_999);
  const capture = random.weighted<ContentCapture>([
    { item: "attributes", weight: 6 },
    { item: "events", weight: 3 },
    { item: "none", weight: 1 },
  ]);
  const ask: ChatMessage = { role: "user", parts: [{ type: "text", content: question.text }] };

  let t = runRedis(input, "support-assistant", server, start, `GET conversation:${conversation}`);
  t = embed(input, server, t + gap(input), question.text);
  t = queryPostgres(
    input,
    "support-assistant",
    server,
    t + gap(input),
    {
      text: [
        "SELECT c.id, c.article_id, c.content, c.embedding <=> $1::vector AS distance",
        "FROM kb_chunks c",
        "JOIN kb_articles a ON a.id = c.article_id AND a.published",
        "ORDER BY c.embedding <=> $1::vector",
        "LIMIT 5",
      ].join("\n"),
      operation: "SELECT",
      collection: "kb_chunks",
      rows: 5,
    },
    9,
  );
  t = chat(input, server, t + gap(input), capture, {
    provider: "openai",
    model: "gpt-4o-mini",
    responseModel: "gpt-4o-mini-2024-07-18",
    temperature: 0,
    maxTokens: 20,
    inputTokens: random.int(160, 320),
    outputTokens: random.int(2, 6),
    finishReason: "stop",
    durationMs: random.latency(420),
    systemPrompt: CLASSIFIER_PROMPT,
    input: [ask],
    output: [{ type: "text", content: question.intent }],
  });

  if (random.chance(0.15)) {
    const failedAt = chat(input, server, t + gap(input), capture, {
      ...CLAUDE,
      inputTokens: 0,
      outputTokens: 0,
      finishReason: "",
      durationMs: random.latency(900),
      input: [ask],
      output: [],
      failure: anthropicOverloaded(),
    });
    // The SDK retries after its backoff; the retry succeeds.
    t = failedAt + random.between(500, 900);
  }
  const conversationSoFar = [ask];
  if (question.intent === "order_status") {
    const orderId = random.int(10_000, 99_999);
    const call: MessagePart = {
      type: "tool_call",
      id: `toolu_01${random.hex(22)}`,
      name: "lookup_order",
      arguments: { order_id: orderId },
    };
    t = chat(input, server, t + gap(input), capture, {
      ...CLAUDE,
      inputTokens: random.int(900, 1_600),
      outputTokens: random.int(40, 90),
      finishReason: "tool_use",
      durationMs: random.latency(1_100),
      input: [...conversationSoFar],
      output: [{ type: "text", content: "Let me look up that order." }, call],
    });
    t = lookupOrder(input, server, t + gap(input), orderId, call.id);
    conversationSoFar.push(
      { role: "assistant", parts: [call] },
      {
        role: "tool",
        parts: [
          {
            type: "tool_call_response",
            id: call.id,
            response: { status: "shipped", carrier: "DHL", tracking_number: "JD014600006281234567" },
          },
        ],
      },
    );
  }
  t = chat(input, server, t + gap(input), capture, {
    ...CLAUDE,
    inputTokens: random.int(1_200, 2_600),
    outputTokens: random.int(60, 320),
    finishReason: "end_turn",
    durationMs: random.latency(1_600),
    input: conversationSoFar,
    output: [{ type: "text", content: question.answer }],
  });
  t = runRedis(
    input,
    "support-assistant",
    server,
    t + gap(input),
    `SET conversation:${conversation} <4.8 KB json> EX 3600`,
  );
  server.set({ "app.conversation.id": conversation, "app.support.intent": question.intent });
  return { end: t + gap(input), status: 200 };
}

/** The agent's tool: it asks checkout-api for the order, so the trace crosses into another service. */
function lookupOrder(input: ScenarioInput, parent: DemoSpan, at: number, orderId: number, callId: string): number {
  const tool = parent.child(input.tracers.tracer("support-assistant", "app"), "execute_tool lookup_order", at, {
    attributes: {
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "lookup_order",
      "gen_ai.tool.type": "function",
      "gen_ai.tool.call.id": callId,
    },
  });
  const api = callService(
    input,
    tool,
    {
      from: "support-assistant",
      to: "checkout-api",
      method: "GET",
      route: "/api/orders/:id",
      path: `/api/orders/${orderId}`,
    },
    at + gap(input),
    (server, start) => {
      const t = queryPostgres(
        input,
        "checkout-api",
        server,
        start,
        {
          text: [
            "SELECT o.id, o.status, o.total_cents, s.carrier, s.tracking_number, s.shipped_at",
            "FROM orders o",
            "LEFT JOIN shipments s ON s.order_id = o.id",
            "WHERE o.id = $1 AND o.customer_id = $2",
          ].join("\n"),
          operation: "SELECT",
          collection: "orders",
          rows: 1,
        },
        3,
      );
      return { end: t + gap(input), status: 200 };
    },
  );
  return tool.end(api.end + gap(input));
}
