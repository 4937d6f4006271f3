import { describe, expect, it } from "vitest";
import { emptyList } from "../../web/src/lib/empty-list.js";

describe("an empty list's heading", () => {
  it("says nothing is stored, with the set-up, only when no filter narrows the list", () => {
    expect(emptyList("errors", { window: "all" })).toEqual({ heading: "No errors stored", filtered: false });
  });

  it("names the service filter and offers a reset instead of the set-up", () => {
    expect(emptyList("errors", { service: "email-worker", window: "all" })).toEqual({
      heading: "No errors for this service",
      filtered: true,
    });
    expect(emptyList("LLM calls", { service: "checkout-api", window: "1h" })).toEqual({
      heading: "No LLM calls for this service in this window",
      filtered: true,
    });
  });

  it("names the window when only the window narrows the list", () => {
    expect(emptyList("errors", { window: "15m" })).toEqual({ heading: "No errors in this window", filtered: true });
  });

  it("names another filter that hid everything the answer held", () => {
    expect(emptyList("errors", { window: "all" }, "No groups where errors start")).toEqual({
      heading: "No groups where errors start",
      filtered: true,
    });
  });
});
