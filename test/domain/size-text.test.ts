import { describe, expect, it } from "vitest";
import { byteSize } from "../../src/domain/size-text.js";

describe("byteSize", () => {
  it("writes bytes under 1 KiB as they are, and larger sizes in binary units with one decimal, none when whole", () => {
    expect(byteSize(0)).toBe("0 B");
    expect(byteSize(214)).toBe("214 B");
    expect(byteSize(1023)).toBe("1,023 B");
    expect(byteSize(1024)).toBe("1 KiB");
    expect(byteSize(1536)).toBe("1.5 KiB");
    expect(byteSize(2100)).toBe("2.1 KiB");
    expect(byteSize(16 * 1024)).toBe("16 KiB");
    expect(byteSize(32 * 1024 * 1024)).toBe("32 MiB");
    expect(byteSize(6_400_000)).toBe("6.1 MiB");
    expect(byteSize(1024 ** 3)).toBe("1 GiB");
    expect(byteSize(5 * 1024 ** 4)).toBe("5 TiB");
    expect(byteSize(3000 * 1024 ** 4)).toBe("3,000 TiB");
  });

  it("chooses the unit after rounding, so that no size reads 1024 of a unit", () => {
    expect(byteSize(1024 * 1024 - 1)).toBe("1 MiB");
    expect(byteSize(1024 * 1024 - 40)).toBe("1 MiB");
    expect(byteSize(1024 * 1024 - 200)).toBe("1,023.8 KiB");
    expect(byteSize(1024 ** 3 - 1)).toBe("1 GiB");
  });

  it("adds the exact count of bytes when asked, if a unit rounds it", () => {
    expect(byteSize(33_554_432, { exact: true })).toBe("32 MiB (33,554,432 bytes)");
    expect(byteSize(1_000_000, { exact: true })).toBe("976.6 KiB (1,000,000 bytes)");
    expect(byteSize(512, { exact: true })).toBe("512 B");
  });
});
