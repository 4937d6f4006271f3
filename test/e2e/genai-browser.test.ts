/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { sendUnknownCostCalls } from "../helpers/llm-calls.js";
import { jsonLogRequest, jsonTraceRequest, newSpanId, newTraceId, postJson, postLogs } from "../helpers/payloads.js";

const available = chromiumAvailable();

/** OTLP/JSON values: a string, and a kvlist of fields. */
const text = (value: string) => ({ stringValue: value });
const fields = (entries: Record<string, unknown>) => ({
  kvlistValue: { values: Object.entries(entries).map(([key, value]) => ({ key, value })) },
});

/** A GenAI event as a log record in the span `spanId`, `at` ns after `start`, as the OpenAI instrumentation writes one. */
const eventIn =
  (traceId: string, spanId: string, start: bigint) => (name: string, at: bigint, body: Record<string, unknown>) => ({
    traceId,
    spanId,
    timeNs: start + at,
    attributes: { "event.name": name, "gen_ai.system": "openai" },
    body,
  });

describe.skipIf(!available)("GenAI spans in a trace, in Chromium", () => {
  const suite = useAppInChromium();

  it("mark LLM calls, total their tokens in the header, and show system instructions and tool calls", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const [root, chat, tool, chat2] = [newSpanId(), newSpanId(), newSpanId(), newSpanId()];
    const response = await postJson(
      app.base,
      jsonTraceRequest("assistant", [
        { traceId, spanId: root, name: "POST /ask", kind: 2 },
        {
          traceId,
          spanId: chat,
          parentSpanId: root,
          name: "chat gpt-4o",
          kind: 3,
          attributes: {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.input_tokens": 1200,
            "gen_ai.usage.output_tokens": 40,
            "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: "You answer order questions." }]),
            "gen_ai.input.messages": JSON.stringify([
              { role: "user", parts: [{ type: "text", content: "Where is order 7?" }] },
            ]),
            "gen_ai.output.messages": JSON.stringify([
              {
                role: "assistant",
                parts: [{ type: "tool_call", id: "call_1", name: "get_order", arguments: { id: 7 } }],
              },
            ]),
          },
        },
        {
          traceId,
          spanId: tool,
          parentSpanId: root,
          name: "execute_tool get_order",
          attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_order" },
        },
        {
          traceId,
          spanId: chat2,
          parentSpanId: root,
          name: "chat gpt-4o",
          kind: 3,
          attributes: {
            "gen_ai.operation.name": "chat",
            "gen_ai.usage.input_tokens": 1300,
            "gen_ai.usage.output_tokens": 25,
          },
        },
      ]),
    );
    expect(response.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}?span=${chat}`);
    await expect
      .poll(() => page.getByTestId("llm-totals").textContent())
      .toBe("LLM2 calls · 2,500 in · 65 out · $0.0034");
    await expect.poll(() => page.locator(".tv-llm-mark").count()).toBe(3);
    const details = page.getByTestId("span-details");
    await expect
      .poll(() => details.locator(".tv-message").first().textContent())
      .toBe("systemYou answer order questions.");
    // gpt-4o at $2.50 / 1M input and $10 / 1M output: 1,200 in and 40 out cost $0.0034.
    await expect
      .poll(() => details.getByTestId("llm-cost").textContent())
      .toBe("$0.0034 at gpt-4o list prices of 2025-10-01");
    const call = details.getByTestId("tool-call");
    await expect.poll(() => call.textContent()).toContain("calls get_order · call_1");
    expect(await call.locator("pre").textContent()).toBe('{\n  "id": 7\n}');
    await page.close();
    expect(problems).toEqual([]);
  });
  it("say a call that reported no usage (OpenAI answered 429) was not reported, not that it was free", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const [root, refused, answered] = [newSpanId(), newSpanId(), newSpanId()];
    const chat = (spanId: string, attributes: Record<string, string | number>) => ({
      traceId,
      spanId,
      parentSpanId: root,
      name: "chat gpt-4o",
      kind: 3,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        ...attributes,
      },
    });
    const response = await postJson(
      app.base,
      jsonTraceRequest("assistant", [
        { traceId, spanId: root, name: "POST /ask", kind: 2 },
        { ...chat(refused, { "error.type": "429" }), statusCode: 2 },
        chat(answered, { "gen_ai.usage.input_tokens": 1200, "gen_ai.usage.output_tokens": 40 }),
      ]),
    );
    expect(response.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}?span=${refused}`);
    await expect
      .poll(() => page.getByTestId("llm-totals").textContent())
      .toBe("LLM2 calls · 1,200 in · 40 out · $0.0034 + 1 call without usage");
    const details = page.getByTestId("span-details");
    await expect.poll(() => details.getByTestId("llm-tokens").textContent()).toBe("— not reported");
    await expect
      .poll(() => details.getByTestId("llm-cost").textContent())
      .toBe("— not reported (the call reported no token usage)");
    // The call that reported its tokens is priced as before.
    await page.goto(`${app.base}/traces/${traceId}?span=${answered}`);
    await expect.poll(() => details.getByTestId("llm-tokens").textContent()).toBe("1,200 in · 40 out · 1,240 total");
    // An embeddings call has no output side: its tokens read "8 in", not "8 in · 0 out".
    const embeddingsTrace = newTraceId();
    const embedded = newSpanId();
    const embeddings = await postJson(
      app.base,
      jsonTraceRequest("assistant", [
        {
          traceId: embeddingsTrace,
          spanId: embedded,
          name: "embeddings text-embedding-3-small",
          kind: 3,
          attributes: {
            "gen_ai.operation.name": "embeddings",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "text-embedding-3-small",
            "gen_ai.usage.input_tokens": 8,
          },
        },
      ]),
    );
    expect(embeddings.status).toBe(200);
    await page.goto(`${app.base}/traces/${embeddingsTrace}?span=${embedded}`);
    await expect.poll(() => details.getByTestId("llm-tokens").textContent()).toBe("8 in");
    await page.goto(`${app.base}/traces/${traceId}?span=${answered}`);
    await expect
      .poll(() => details.getByTestId("llm-cost").textContent())
      .toBe("$0.0034 at gpt-4o list prices of 2025-10-01");
    // The list's LLM mark and the LLM page say it too.
    await page.goto(`${app.base}/`);
    await expect
      .poll(() => page.locator(`[data-trace-id="${traceId}"] [data-testid="llm-mark"]`).getAttribute("title"))
      .toBe("2 LLM calls · 1,240 tokens (1,200 in, 40 out) · $0.0034 + 1 call without usage");
    await page.goto(`${app.base}/llm`);
    // (The page totals every stored call, the first test's too.)
    await expect
      .poll(() => page.getByTestId("llm-totals").textContent())
      .toMatch(/not counting 1 call without usage \(not reported\)Estimated cost\$[0-9.]+ \+ 1 call without usage/);
    await expect.poll(() => page.getByTestId("llm-calls").textContent()).toContain("— not reported");
    expect(problems).toEqual([]);
    await page.close();
  });
  it("name each call of unknown cost once in the list mark's tooltip, as the trace header does", async () => {
    const { app, browser } = suite;
    const traceId = await sendUnknownCostCalls(app.base);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/`);
    // The call to home-grown-7b reported no usage and has no price: one of the unpriced, not also without usage.
    await expect
      .poll(() => page.locator(`[data-trace-id="${traceId}"] [data-testid="llm-mark"]`).getAttribute("title"))
      .toBe("3 LLM calls · 1,100 tokens (1,000 in, 100 out) · $0.0035 + 1 with no known price + 1 call without usage");
    await page.goto(`${app.base}/traces/${traceId}`);
    await expect
      .poll(() => page.getByTestId("llm-totals").textContent())
      .toBe("LLM3 calls · 1,000 in · 100 out · $0.0035 + 1 unpriced + 1 call without usage");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("show the conversation an instrumentation wrote as log records in the span, as the OpenAI ones do", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const chat = newSpanId();
    const start = 1_700_000_000_000_000_000n;
    const sent = await postJson(
      app.base,
      jsonTraceRequest("assistant", [
        {
          traceId,
          spanId: chat,
          name: "chat gpt-4o-mini",
          kind: 3,
          attributes: {
            "gen_ai.operation.name": "chat",
            "gen_ai.system": "openai",
            "gen_ai.request.model": "gpt-4o-mini",
          },
        },
      ]),
    );
    expect(sent.status).toBe(200);
    // As @opentelemetry/instrumentation-openai writes them with captureMessageContent: one record per message.
    const event = eventIn(traceId, chat, start);
    const logs = await postLogs(
      app.base,
      jsonLogRequest("assistant", [
        event("gen_ai.system.message", 1n, fields({ content: text("Be terse.") })),
        event("gen_ai.user.message", 2n, fields({ content: text("A mug under $20?") })),
        event(
          "gen_ai.choice",
          3n,
          fields({
            finish_reason: text("stop"),
            index: { intValue: 0 },
            message: fields({ content: text("The plain mug.") }),
          }),
        ),
      ]),
    );
    expect(logs.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}?span=${chat}`);
    const details = page.getByTestId("span-details");
    await expect
      .poll(() => details.locator(".tv-message").allTextContents())
      .toEqual(["systemBe terse.", "userA mug under $20?", "assistantThe plain mug."]);
    await page.close();
    expect(problems).toEqual([]);
    // A call without usage: not left for the LLM page's totals of the tests that may follow.
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
  });

  it("show an assistant's turn that only called a tool, and say so of messages sent without their content", async () => {
    const { app, browser } = suite;
    const traceId = newTraceId();
    const chat = newSpanId();
    const start = 1_700_000_000_000_000_000n;
    const sent = await postJson(
      app.base,
      jsonTraceRequest("assistant", [
        {
          traceId,
          spanId: chat,
          name: "chat gpt-4o",
          kind: 3,
          attributes: { "gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o" },
        },
      ]),
    );
    expect(sent.status).toBe(200);
    // As @opentelemetry/instrumentation-openai writes a tool loop's second call: the user's message sent
    // without content (content capture was off for it), the assistant's turn with tool_calls and no
    // content, the tool's result naming its call by id, and a choice whose message is empty.
    const event = eventIn(traceId, chat, start);
    const call = fields({
      id: text("call_7"),
      type: text("function"),
      function: fields({ name: text("get_weather"), arguments: text('{"city":"Paris"}') }),
    });
    const logs = await postLogs(
      app.base,
      jsonLogRequest("assistant", [
        event("gen_ai.user.message", 1n, fields({})),
        event("gen_ai.assistant.message", 2n, fields({ tool_calls: { arrayValue: { values: [call] } } })),
        event("gen_ai.tool.message", 3n, fields({ content: text("sunny, 18"), id: text("call_7") })),
        event(
          "gen_ai.choice",
          4n,
          fields({ finish_reason: text("stop"), index: { intValue: 0 }, message: fields({}) }),
        ),
      ]),
    );
    expect(logs.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const problems = collectPageProblems(page);
    await page.goto(`${app.base}/traces/${traceId}?span=${chat}`);
    const details = page.getByTestId("span-details");
    await expect.poll(() => details.locator(".tv-message").count()).toBe(4);
    const messages = await details.locator(".tv-message").allTextContents();
    expect(messages[0]).toMatch(/^usercontent not recorded/);
    expect(messages[1]).toMatch(/^assistantcalls get_weather · call_7/);
    expect(messages[2]).toBe("toolresult of call_7sunny, 18");
    expect(messages[3]).toMatch(/^assistantcontent not recorded/);
    expect(await details.getByTestId("message-not-recorded").count()).toBe(2);
    expect(await details.locator(".tv-message-content", { hasText: "{}" }).count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
    await fetch(`${app.base}/api/traces`, { method: "DELETE" });
  });
});
