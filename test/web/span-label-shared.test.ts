import { describe, expect, it } from "vitest";
import { spanLabel } from "../../src/domain/span-label";
import { spanLabel as traceViewLabel } from "../../web/src/features/trace-view/span-label";
import { sdkSpans } from "../helpers/sdk-http-spans";

describe("span labels outside the web app (tail errors)", () => {
  it("are the trace view's labels for the same spans", () => {
    for (const span of sdkSpans) expect(traceViewLabel(span), JSON.stringify(span)).toBe(spanLabel(span));
  });
});
