import { describe, expect, it } from "vitest";
import { captureOrigin, captureOriginText } from "../../src/sdk/capture-origin.js";

describe("whose a refused capture was", () => {
  it("reads the service and label from the start of a body, cut short or not JSON", () => {
    const start =
      '{"breakpoint_id":"b1","service_name":"shop-api","file_path":"/app/a.js","label":"say \\"hi\\"","variables":{"x":[[[';
    expect(captureOrigin(start)).toEqual({ service: "shop-api", label: 'say "hi"' });
    expect(captureOriginText({ service: "shop-api", label: 'say "hi"' })).toBe('shop-api, label "say \\"hi\\""');
    // The label of the capture, never one inside its variables.
    expect(captureOrigin('{"service_name": "shop-api", "variables": {"label": "inner"}')).toEqual({
      service: "shop-api",
      label: null,
    });
    expect(captureOrigin('{"variables": {"service_name": "inner"}, "service_name": "shop-api"}')).toBeNull();
    expect(captureOriginText({ service: "shop-api", label: null })).toBe("shop-api");
  });

  it("names no service a capture could not come from, and cuts a long label", () => {
    expect(captureOrigin('{"label":"checkout"}')).toBeNull();
    expect(captureOrigin('{"service_name":"shop\\u202eapi"}')).toBeNull();
    expect(captureOrigin('{"service_name":"shop-api","label":"unfinish')).toEqual({ service: "shop-api", label: null });
    expect(captureOrigin(`{"service_name":"s","label":"${"x".repeat(300)}"}`)?.label).toBe(`${"x".repeat(200)}…`);
  });
});
