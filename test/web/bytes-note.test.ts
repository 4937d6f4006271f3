import { describe, expect, it } from "vitest";
import { bytesNote } from "../../web/src/lib/bytes-note";

describe("bytesNote", () => {
  it("counts the bytes base64 text stands for, padding left out", () => {
    expect(bytesNote("3q2+7w==")).toBe("base64 of 4 bytes");
    expect(bytesNote("AQID+g==")).toBe("base64 of 4 bytes");
    expect(bytesNote("AQI=")).toBe("base64 of 2 bytes");
    expect(bytesNote("AQ==")).toBe("base64 of 1 byte");
    expect(bytesNote("AQID")).toBe("base64 of 3 bytes");
    expect(bytesNote("")).toBe("base64 of 0 bytes");
    expect(bytesNote("A".repeat(4000))).toBe("base64 of 3,000 bytes");
  });
});
