/// <reference lib="dom" />
import { describe, expect, it } from "vitest";
import { chromiumAvailable, collectPageProblems, useAppInChromium } from "../helpers/browser.js";
import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "../helpers/payloads.js";

const available = chromiumAvailable();

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
    await expect.poll(() => page.getByTestId("llm-totals").textContent()).toBe("LLM2 calls · 2,500 in · 65 out");
    await expect.poll(() => page.locator(".tv-llm-mark").count()).toBe(3);
    const details = page.getByTestId("span-details");
    await expect
      .poll(() => details.locator(".tv-message").first().textContent())
      .toBe("systemYou answer order questions.");
    const call = details.getByTestId("tool-call");
    await expect.poll(() => call.textContent()).toContain("calls get_order · call_1");
    expect(await call.locator("pre").textContent()).toBe('{\n  "id": 7\n}');
    await page.close();
    expect(problems).toEqual([]);
  });
});
