import { jsonTraceRequest, newSpanId, newTraceId, postJson } from "./payloads.js";

/**
 * Posts one trace of three GenAI calls: gpt-4o with 1,000 tokens in and 100 out ($0.0035 at $2.50 and
 * $10 per 1M), a call to a model without a price that reported no usage, and a gpt-4o call the provider
 * refused (a 429: no usage). Two calls of unknown cost, each to be named once. Returns the trace's id.
 */
export async function sendUnknownCostCalls(
  base: string,
  service = "assistant",
  resourceAttributes: Record<string, string> = {},
): Promise<string> {
  const traceId = newTraceId();
  const root = newSpanId();
  const chat = (model: string, attributes: Record<string, string | number>) => ({
    traceId,
    parentSpanId: root,
    name: `chat ${model}`,
    kind: 3,
    attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": model, ...attributes },
  });
  const request = jsonTraceRequest(service, [
    { traceId, spanId: root, name: "POST /ask", kind: 2 },
    chat("gpt-4o", {
      "gen_ai.provider.name": "openai",
      "gen_ai.usage.input_tokens": 1000,
      "gen_ai.usage.output_tokens": 100,
    }),
    chat("home-grown-7b", {}),
    { ...chat("gpt-4o", { "gen_ai.provider.name": "openai", "error.type": "429" }), statusCode: 2 },
  ]);
  const [resourceSpans] = request.resourceSpans as [{ resource: { attributes: unknown[] } }];
  for (const [key, value] of Object.entries(resourceAttributes)) {
    resourceSpans.resource.attributes.push({ key, value: { stringValue: value } });
  }
  const response = await postJson(base, request);
  if (response.status !== 200) throw new Error(`the calls were refused: ${response.status}`);
  return traceId;
}
