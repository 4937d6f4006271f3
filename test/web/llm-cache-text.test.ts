import { describe, expect, it } from "vitest";
import { cacheText } from "../../web/src/features/llm/cache-text";

describe("cacheText", () => {
  it("says what the prompt cache served and took, leaving out what is 0", () => {
    expect(cacheText(40_000, 300)).toBe("40,000 read from cache · 300 written to cache");
    expect(cacheText(40_000, 0)).toBe("40,000 read from cache");
    expect(cacheText(0, 2_000)).toBe("2,000 written to cache");
    expect(cacheText(0, 0)).toBe("");
  });
});
