import { describe, expect, it } from "vitest";
import { spanLabel, urlHostAndPath } from "../../src/domain/span-label.js";
import { sdkSpans } from "../helpers/sdk-http-spans.js";

describe("spanLabel", () => {
  it("labels a span named by its HTTP method alone with its route or path (server) or what it called (client)", () => {
    for (const span of sdkSpans) expect(spanLabel(span), JSON.stringify(span)).toBe(span.label);
  });

  it("keeps a URL's host, a port other than the scheme's default and the path", () => {
    expect(urlHostAndPath("https://user:pw@API.example.com/v1/charges?id=3#x")).toEqual({
      host: "api.example.com",
      path: "/v1/charges",
    });
    expect(urlHostAndPath("http://example.com:80/a")).toEqual({ host: "example.com", path: "/a" });
    expect(urlHostAndPath("/orders?x=1")).toBeNull();
  });
});
