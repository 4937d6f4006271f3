import { describe, expect, it } from "vitest";
import { withParam } from "../../web/src/lib/url";

describe("withParam", () => {
  it("starts a query when there is none and adds to one that is there", () => {
    expect(withParam("", "selected", "4bf92f3577b34da6")).toBe("?selected=4bf92f3577b34da6");
    expect(withParam("?service=api", "log", "12")).toBe("?service=api&log=12");
  });

  it("leaves the query as it is for a null value", () => {
    expect(withParam("", "selected", null)).toBe("");
    expect(withParam("?service=api", "selected", null)).toBe("?service=api");
  });

  it("encodes the value so that it reads back whole", () => {
    const value = "a&b=c #?/ é+%";
    const search = withParam("?service=api", "selected", value);
    expect(search).toBe("?service=api&selected=a%26b%3Dc%20%23%3F%2F%20%C3%A9%2B%25");
    const params = new URLSearchParams(search);
    expect(params.get("selected")).toBe(value);
    expect(params.get("service")).toBe("api");
  });

  it("chains, each parameter after the ones before it", () => {
    expect(withParam(withParam("?window=1h", "group", "g1"), "selected", "t1")).toBe("?window=1h&group=g1&selected=t1");
  });
});
