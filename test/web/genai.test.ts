import { describe, expect, it } from "vitest";
import { costLines, costText, withoutUsageText } from "../../web/src/features/llm/usage-text";
import {
  genAiFacts,
  genAiLogEvents,
  isGenAiSpan,
  llmTotals,
  llmTotalsText,
} from "../../web/src/features/trace-view/genai";
import { logRecord } from "./log-fixtures";

describe("genAiFacts", () => {
  it("reads provider, model, tokens and finish reasons (current names)", () => {
    const facts = genAiFacts({
      "gen_ai.provider.name": "openai",
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.response.model": "gpt-4o-2024-08-06",
      "gen_ai.usage.input_tokens": 120,
      "gen_ai.usage.output_tokens": 30,
      "gen_ai.response.finish_reasons": ["stop"],
    });
    expect(facts).toEqual({
      provider: "openai",
      operation: "chat",
      requestModel: "gpt-4o",
      responseModel: "gpt-4o-2024-08-06",
      inputTokens: 120,
      outputTokens: 30,
      finishReasons: ["stop"],
      prompt: [],
      completion: [],
    });
  });

  it("reads the older names (gen_ai.system, prompt/completion tokens) and indexed messages", () => {
    const facts = genAiFacts({
      "gen_ai.system": "anthropic",
      "gen_ai.usage.prompt_tokens": "10",
      "gen_ai.usage.completion_tokens": 5,
      "gen_ai.prompt.0.role": "system",
      "gen_ai.prompt.0.content": "Be brief.",
      "gen_ai.prompt.1.role": "user",
      "gen_ai.prompt.1.content": "Hi",
      "gen_ai.completion.0.content": "Hello!",
    });
    expect(facts?.provider).toBe("anthropic");
    expect(facts?.inputTokens).toBe(10);
    expect(facts?.outputTokens).toBe(5);
    expect(facts?.prompt).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
    ]);
    expect(facts?.completion).toEqual([{ role: "assistant", content: "Hello!" }]);
  });

  it("reads JSON message attributes (role + content or parts) and a JSON list of finish reasons", () => {
    const facts = genAiFacts({
      "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: [{ type: "text", content: "What is 2+2?" }] }]),
      "gen_ai.output.messages": JSON.stringify([{ role: "assistant", content: "4" }]),
      "gen_ai.response.finish_reasons": '["stop","length"]',
    });
    expect(facts?.prompt).toEqual([{ role: "user", content: "What is 2+2?" }]);
    expect(facts?.completion).toEqual([{ role: "assistant", content: "4" }]);
    expect(facts?.finishReasons).toEqual(["stop", "length"]);
  });

  it("reads prompt and completion from events", () => {
    const facts = genAiFacts({ "gen_ai.system": "openai" }, [
      { name: "gen_ai.content.prompt", timeUnixNano: "1", attributes: { "gen_ai.prompt": "plain prompt" } },
      { name: "gen_ai.user.message", timeUnixNano: "2", attributes: { content: "from user" } },
      { name: "gen_ai.choice", timeUnixNano: "3", attributes: { message: { role: "assistant", content: "answer" } } },
    ]);
    expect(facts?.prompt).toEqual([
      { role: "user", content: "plain prompt" },
      { role: "user", content: "from user" },
    ]);
    expect(facts?.completion).toEqual([{ role: "assistant", content: "answer" }]);
  });

  it("reads the conversation an instrumentation wrote as log records in the span, as the OpenAI ones do", () => {
    // What @opentelemetry/instrumentation-openai emits with captureMessageContent, here out of order.
    const system = { "gen_ai.system": "openai" };
    const logs = [
      logRecord("3", 30, {
        attributes: { "event.name": "gen_ai.choice", ...system },
        body: { finish_reason: "stop", index: 0, message: { content: "The plain mug, $12." } },
      }),
      logRecord("1", 10, {
        attributes: { "event.name": "gen_ai.system.message", ...system },
        body: { content: "Be terse." },
      }),
      logRecord("2", 20, { eventName: "gen_ai.user.message", body: { content: "A mug under $20?" } }),
      // Not part of the conversation: an ordinary log line in the span.
      logRecord("4", 40, { body: "asking the model" }),
    ];
    const facts = genAiFacts({ "gen_ai.system": "openai" }, genAiLogEvents(logs));
    expect(facts?.prompt).toEqual([
      { role: "system", content: "Be terse." },
      { role: "user", content: "A mug under $20?" },
    ]);
    expect(facts?.completion).toEqual([{ role: "assistant", content: "The plain mug, $12." }]);
    // The current conventions' single event holds the messages as attributes.
    const details = logRecord("5", 50, {
      eventName: "gen_ai.client.inference.operation.details",
      attributes: {
        "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: [{ type: "text", content: "Hi" }] }]),
        "gen_ai.output.messages": JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: "Hello" }] }]),
      },
      body: null,
    });
    const current = genAiFacts({ "gen_ai.provider.name": "openai" }, genAiLogEvents([details]));
    expect(current?.prompt).toEqual([{ role: "user", content: "Hi" }]);
    expect(current?.completion).toEqual([{ role: "assistant", content: "Hello" }]);
    // Content not captured: each message is there, said to be without its content (not as "{}").
    const bare = logRecord("6", 60, { attributes: { "event.name": "gen_ai.user.message" }, body: {} });
    const choice = logRecord("7", 70, {
      attributes: { "event.name": "gen_ai.choice" },
      body: { finish_reason: "stop", index: 0, message: {} },
    });
    const uncaptured = genAiFacts({ "gen_ai.system": "openai" }, genAiLogEvents([bare, choice]));
    expect(uncaptured?.prompt).toEqual([{ role: "user", content: "", notRecorded: true }]);
    // A tool's result without its content still names the call it answers.
    const toolResult = logRecord("8", 80, { eventName: "gen_ai.tool.message", body: { id: "call_9" } });
    expect(genAiFacts({ "gen_ai.system": "openai" }, genAiLogEvents([toolResult]))?.prompt).toEqual([
      { role: "tool", content: "", toolCallId: "call_9", notRecorded: true },
    ]);
    expect(uncaptured?.completion).toEqual([{ role: "assistant", content: "", notRecorded: true }]);
  });

  it("keeps an assistant's turn that only called tools, and pairs the tool's result with its call, from log records", () => {
    // @opentelemetry/instrumentation-openai's second call of a tool loop: the assistant's message has
    // tool_calls and no content; the tool's message names the call it answers by `id`.
    const logs = [
      logRecord("1", 10, { eventName: "gen_ai.user.message", body: { content: "Weather in Paris?" } }),
      logRecord("2", 20, {
        eventName: "gen_ai.assistant.message",
        body: {
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          ],
        },
      }),
      logRecord("3", 30, {
        eventName: "gen_ai.tool.message",
        body: { content: '{"temp":18,"sky":"sunny"}', id: "call_1" },
      }),
    ];
    const facts = genAiFacts({ "gen_ai.system": "openai" }, genAiLogEvents(logs));
    expect(facts?.prompt).toEqual([
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{\n  "city": "Paris"\n}' }],
      },
      { role: "tool", content: '{\n  "temp": 18,\n  "sky": "sunny"\n}', toolCallId: "call_1" },
    ]);
  });

  it("reads the conversation from log records only where the span itself holds none, never twice", () => {
    const spanEvents = [
      { name: "gen_ai.user.message", timeUnixNano: "1700000000010000000", attributes: { content: "A mug?" } },
    ];
    const logs = genAiLogEvents([
      logRecord("1", 10, { eventName: "gen_ai.user.message", body: { content: "A mug?" } }),
      logRecord("2", 30, { eventName: "gen_ai.choice", body: { message: { content: "The plain one." } } }),
    ]);
    const facts = genAiFacts({ "gen_ai.system": "openai" }, spanEvents, logs);
    expect(facts?.prompt).toEqual([{ role: "user", content: "A mug?" }]);
    // The span says no completion: the log record's is read.
    expect(facts?.completion).toEqual([{ role: "assistant", content: "The plain one." }]);
    // Messages in the span's attributes, and the same as log records: once.
    const inAttributes = genAiFacts(
      { "gen_ai.system": "openai", "gen_ai.input.messages": JSON.stringify([{ role: "user", content: "A mug?" }]) },
      [],
      logs,
    );
    expect(inAttributes?.prompt).toEqual([{ role: "user", content: "A mug?" }]);
    // A span holding only the system instructions takes the rest of the prompt from the log records.
    const instructed = genAiFacts(
      { "gen_ai.system": "openai", "gen_ai.system_instructions": "Be terse." },
      [],
      genAiLogEvents([
        logRecord("3", 5, { eventName: "gen_ai.system.message", body: { content: "Be terse." } }),
        logRecord("4", 10, { eventName: "gen_ai.user.message", body: { content: "A mug?" } }),
      ]),
    );
    expect(instructed?.prompt).toEqual([
      { role: "system", content: "Be terse." },
      { role: "user", content: "A mug?" },
    ]);
  });

  it("is null for spans without gen_ai attributes", () => {
    expect(genAiFacts({ "http.route": "/" })).toBeNull();
  });

  it("reads system instructions, tool calls (current parts and OpenAI's tool_calls) and tool results", () => {
    const facts = genAiFacts({
      "gen_ai.operation.name": "chat",
      "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: "You are a shop assistant." }]),
      "gen_ai.input.messages": JSON.stringify([
        { role: "user", parts: [{ type: "text", content: "Is order 7 shipped?" }] },
        {
          role: "assistant",
          parts: [{ type: "tool_call", id: "call_1", name: "get_order", arguments: { id: 7 } }],
        },
        { role: "tool", parts: [{ type: "tool_call_response", id: "call_1", response: '{"status":"shipped"}' }] },
      ]),
      "gen_ai.output.messages": JSON.stringify([
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_2", type: "function", function: { name: "track", arguments: '{"carrier":"ups"}' } }],
        },
      ]),
    });
    expect(facts?.prompt).toEqual([
      { role: "system", content: "You are a shop assistant." },
      { role: "user", content: "Is order 7 shipped?" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "call_1", name: "get_order", arguments: '{\n  "id": 7\n}' }],
      },
      { role: "tool", content: '{\n  "status": "shipped"\n}', toolCallId: "call_1" },
    ]);
    expect(facts?.completion).toEqual([
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "call_2", name: "track", arguments: '{\n  "carrier": "ups"\n}' }],
      },
    ]);
  });

  it("shows tool arguments and results sent as JSON text indented as written: every digit, every key", () => {
    const facts = genAiFacts({
      "gen_ai.operation.name": "chat",
      "gen_ai.output.messages": JSON.stringify([
        {
          role: "assistant",
          tool_calls: [
            { id: "c", function: { name: "refund", arguments: '{"order":12345678901234567890,"n":1.0,"n":2}' } },
          ],
        },
        { role: "tool", parts: [{ type: "tool_call_response", id: "c", response: '{"ok":true,"ok":false}' }] },
        { role: "tool", parts: [{ type: "tool_call_response", id: "d", response: "{not json}" }] },
      ]),
    });
    expect(facts?.completion?.[0]?.toolCalls?.[0]?.arguments).toBe(
      '{\n  "order": 12345678901234567890,\n  "n": 1.0,\n  "n": 2\n}',
    );
    expect(facts?.completion?.[1]?.content).toBe('{\n  "ok": true,\n  "ok": false\n}');
    expect(facts?.completion?.[2]?.content).toBe("{not json}");
  });
});

function cost(usd: number | null, usageReported = true) {
  return {
    model: "m",
    priceKey: usd === null ? null : "m",
    usd,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    usageReported,
    pricesDate: "2025-10-01",
  };
}

describe("llmTotals and isGenAiSpan", () => {
  it("adds up the costs the server priced and counts the calls it could not price", () => {
    expect(
      llmTotals([
        { attributes: { "gen_ai.request.model": "a" }, llmCost: cost(0.01) },
        { attributes: { "gen_ai.request.model": "b" }, llmCost: cost(0.0025) },
        { attributes: { "gen_ai.request.model": "local" }, llmCost: cost(null) },
      ]),
    ).toMatchObject({ calls: 3, costUsd: 0.0125, unpriced: 1, noUsage: 0 });
  });

  it("counts the calls that reported no usage, and says so rather than $0", () => {
    // An OpenAI chat call that failed (429): the server priced it at 0 tokens and says usage was not reported.
    const refused = { attributes: { "gen_ai.request.model": "gpt-4o" }, llmCost: cost(0, false) };
    const totals = llmTotals([refused]);
    expect(totals).toMatchObject({ calls: 1, costUsd: 0, noUsage: 1 });
    expect(llmTotalsText(totals)).toBe("1 call · usage not reported");
    const answered = {
      attributes: { "gen_ai.request.model": "gpt-4o", "gen_ai.usage.output_tokens": 100 },
      llmCost: { ...cost(0.0035), inputTokens: 1000 },
    };
    expect(llmTotalsText(llmTotals([answered, refused]))).toBe(
      "2 calls · 1,000 in · 100 out · $0.0035 + 1 call without usage",
    );
    expect(llmTotalsText(llmTotals([answered]))).toBe("1 call · 1,000 in · 100 out · $0.0035");
    // A reported 0 is a cost of $0.
    expect(llmTotalsText(llmTotals([{ attributes: { "gen_ai.request.model": "m" }, llmCost: cost(0) }]))).toBe(
      "1 call · 0 in · 0 out · $0",
    );
    // No call's cost is known: no dollar amount.
    const local = { attributes: { "gen_ai.request.model": "local" }, llmCost: cost(null) };
    expect(llmTotalsText(llmTotals([local, refused]))).toBe(
      "2 calls · 0 in · 0 out · 1 unpriced + 1 call without usage",
    );
    expect(llmTotalsText(llmTotals([local, local]))).toBe("2 calls · 0 in · 0 out · no price");
  });

  it("names a call to a model without a price that reported no usage once, as unpriced", () => {
    const answered = {
      attributes: { "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.output_tokens": 1000 },
      llmCost: { ...cost(0.0021), inputTokens: 10_000 },
    };
    const localSilent = { attributes: { "gen_ai.request.model": "local" }, llmCost: cost(null, false) };
    const localAnswered = {
      attributes: { "gen_ai.request.model": "local", "gen_ai.usage.output_tokens": 1000 },
      llmCost: { ...cost(null), inputTokens: 10_000 },
    };
    const refused = { attributes: { "gen_ai.request.model": "gpt-4o-mini" }, llmCost: cost(0, false) };
    const totals = llmTotals([answered, localSilent, localAnswered, refused]);
    expect(totals).toMatchObject({ calls: 4, unpriced: 2, noUsage: 2, unpricedNoUsage: 1 });
    expect(llmTotalsText(totals)).toBe("4 calls · 20,000 in · 2,000 out · $0.0021 + 2 unpriced + 1 call without usage");
    expect(llmTotalsText(llmTotals([answered, localSilent]))).toBe(
      "2 calls · 10,000 in · 1,000 out · $0.0021 + 1 unpriced",
    );
  });

  it("writes a cost with what is unknown about it, each call of unknown cost once", () => {
    const group = (some: Partial<Parameters<typeof costText>[0]> & { calls: number }) => ({
      usd: 0,
      unpriced: 0,
      noUsage: 0,
      unpricedNoUsage: 0,
      ...some,
    });
    expect(costText(group({ usd: 0.42, calls: 3 }))).toBe("$0.42");
    expect(costText(group({ usd: 0.42, calls: 3, unpriced: 1, noUsage: 1 }))).toBe(
      "$0.42 + 1 unpriced + 1 call without usage",
    );
    expect(costText(group({ usd: 0.42, calls: 3, unpriced: 1, noUsage: 1, unpricedNoUsage: 1 }))).toBe(
      "$0.42 + 1 unpriced",
    );
    expect(costText(group({ usd: 0.42, calls: 4, noUsage: 2 }))).toBe("$0.42 + 2 calls without usage");
    expect(costText(group({ calls: 2, noUsage: 2 }))).toBe("not reported");
    expect(costText(group({ calls: 2, unpriced: 2, noUsage: 2, unpricedNoUsage: 2 }))).toBe("no price");
    expect(costText(group({ calls: 2, unpriced: 2, noUsage: 1, unpricedNoUsage: 1 }))).toBe("no price");
    // No call's cost is known: no dollar amount, though the sum is $0.
    expect(costText(group({ calls: 2, unpriced: 1, noUsage: 1 }))).toBe("1 unpriced + 1 call without usage");
    expect(withoutUsageText(1)).toBe("1 call without usage");
    expect(costText(group({ usd: 0.42, calls: 9000, unpriced: 2500, noUsage: 3000 }))).toBe(
      "$0.42 + 2,500 unpriced + 3,000 calls without usage",
    );
  });

  it("puts the calls to priced models without usage on a second line of a table cell", () => {
    const group = { usd: 0.0021, calls: 4, unpriced: 2, noUsage: 2, unpricedNoUsage: 1 };
    expect(costLines(group)).toEqual(["$0.0021 + 2 unpriced", "+ 1 call without usage"]);
    expect(costLines({ ...group, unpricedNoUsage: 2 })).toEqual(["$0.0021 + 2 unpriced", ""]);
    expect(costLines({ usd: 0, calls: 2, unpriced: 2, noUsage: 1, unpricedNoUsage: 1 })).toEqual(["no price", ""]);
    expect(costLines({ usd: 0, calls: 2, unpriced: 1, noUsage: 1, unpricedNoUsage: 0 })).toEqual([
      "1 unpriced",
      "+ 1 call without usage",
    ]);
    expect(costLines({ usd: 0, calls: 2, unpriced: 0, noUsage: 2, unpricedNoUsage: 0 })).toEqual(["not reported", ""]);
  });

  it("counts model calls and their tokens, not tool executions or other spans", () => {
    expect(
      llmTotals([
        {
          attributes: {
            "gen_ai.operation.name": "chat",
            "gen_ai.usage.input_tokens": 100,
            "gen_ai.usage.output_tokens": 20,
          },
        },
        { attributes: { "gen_ai.system": "openai", "gen_ai.usage.prompt_tokens": "5" } },
        { attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_order" } },
        { attributes: { "http.route": "/" } },
      ]),
    ).toEqual({
      calls: 2,
      inputTokens: 105,
      outputTokens: 20,
      costUsd: 0,
      unpriced: 0,
      noUsage: 0,
      unpricedNoUsage: 0,
    });
    expect(isGenAiSpan({ "gen_ai.request.model": "gpt-4o" })).toBe(true);
    expect(isGenAiSpan({ "db.system": "redis" })).toBe(false);
  });
});
