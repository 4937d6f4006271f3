import { describe, expect, it } from "vitest";
import { carriesLlmCall, llmServerOf, type TimedCall } from "../../src/domain/llm-transport.js";

const llm: TimedCall<string> = {
  spanId: "llm",
  parentSpanId: "handler",
  service: "chat",
  startMs: 100,
  endMs: 200,
  host: null,
  port: null,
};
const request: TimedCall<string> = { ...llm, spanId: "req", startMs: 101, endMs: 190, host: "localhost", port: "8080" };

describe("carriesLlmCall", () => {
  it("takes a sibling within the LLM call's time, give or take a millisecond, for its transport", () => {
    expect(carriesLlmCall(request, llm)).toBe(true);
    expect(carriesLlmCall({ ...request, startMs: 99.5, endMs: 200.9 }, llm)).toBe(true);
    expect(carriesLlmCall({ ...request, startMs: 98 }, llm)).toBe(false);
    expect(carriesLlmCall({ ...request, endMs: 202 }, llm)).toBe(false);
  });

  it("takes a child whatever its time, and nothing of another service, parent or a root", () => {
    expect(carriesLlmCall({ ...request, parentSpanId: "llm", startMs: 300, endMs: 400 }, llm)).toBe(true);
    expect(carriesLlmCall({ ...request, service: "other" }, llm)).toBe(false);
    expect(carriesLlmCall({ ...request, parentSpanId: "elsewhere" }, llm)).toBe(false);
    expect(carriesLlmCall({ ...request, parentSpanId: null }, { ...llm, parentSpanId: null })).toBe(false);
  });

  it("needs the host, and the port when both name one, of an LLM call that names its server", () => {
    const named = { ...llm, host: "localhost", port: "8080" };
    expect(carriesLlmCall(request, named)).toBe(true);
    expect(carriesLlmCall({ ...request, port: null }, named)).toBe(true);
    expect(carriesLlmCall({ ...request, port: "9090" }, named)).toBe(false);
    expect(carriesLlmCall({ ...request, host: "api.example.com" }, named)).toBe(false);
    // A request naming its callee by peer.service alone goes to no host to compare.
    expect(carriesLlmCall({ ...request, host: null, port: null }, named)).toBe(false);
  });
});

describe("llmServerOf", () => {
  it("reads server.address and server.port", () => {
    expect(llmServerOf({ "server.address": "API.openai.com", "server.port": 443 })).toEqual({
      host: "api.openai.com",
      port: "443",
    });
    expect(llmServerOf({ "server.address": "localhost:11434" })).toEqual({ host: "localhost", port: "11434" });
    expect(llmServerOf({ "gen_ai.system": "openai" })).toBeNull();
  });
});
