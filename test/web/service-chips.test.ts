import { describe, expect, it } from "vitest";
import { chipsWithin } from "../../web/src/features/trace-view/service-chips";

describe("chipsWithin", () => {
  it("counts the chips, in order, whose bottom lies within the limit", () => {
    // Two 20px lines with a 2px gap: a 42px list holds the first four of these.
    expect(chipsWithin([20, 20, 42, 42, 64, 64], 42)).toBe(4);
  });
  it("stops at the first chip past the limit, even when a later one would fit", () => {
    expect(chipsWithin([20, 64, 20], 42)).toBe(1);
  });
  it("shows all of them when they fit, none when none does", () => {
    expect(chipsWithin([20, 42], 42)).toBe(2);
    expect(chipsWithin([], 42)).toBe(0);
    expect(chipsWithin([64], 42)).toBe(0);
  });
  it("takes subpixel layouts at their rounded height", () => {
    expect(chipsWithin([20.3, 42.4], 42)).toBe(2);
  });
});
