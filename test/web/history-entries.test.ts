import { afterEach, describe, expect, it, vi } from "vitest";
import { entriesBehind } from "../../web/src/lib/history-entries";

function browserWith(urls: (string | null)[], index: number, withNavigation = true) {
  vi.stubGlobal("location", new URL("http://127.0.0.1:4318/snapshots/s1"));
  vi.stubGlobal(
    "window",
    withNavigation ? { navigation: { currentEntry: { index }, entries: () => urls.map((url) => ({ url })) } } : {},
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("entriesBehind", () => {
  it("lists the entries before the current one, nearest first, at most as many as asked", () => {
    browserWith(
      ["http://127.0.0.1:4318/", "http://127.0.0.1:4318/logs?service=a", "http://127.0.0.1:4318/traces/t"],
      2,
    );
    expect(entriesBehind(5)?.map((url) => url?.href)).toEqual([
      "http://127.0.0.1:4318/logs?service=a",
      "http://127.0.0.1:4318/",
    ]);
    expect(entriesBehind(1)?.map((url) => url?.href)).toEqual(["http://127.0.0.1:4318/logs?service=a"]);
  });

  it("gives null for another site's entry or one whose address the browser keeps, none before the first", () => {
    browserWith(["https://example.com/", null, "http://127.0.0.1:4318/traces/t"], 2);
    expect(entriesBehind(5)).toEqual([null, null]);
    browserWith(["http://127.0.0.1:4318/"], 0);
    expect(entriesBehind(5)).toEqual([]);
  });

  it("is null where the browser has no Navigation API", () => {
    browserWith([], 0, false);
    expect(entriesBehind(5)).toBeNull();
  });
});
