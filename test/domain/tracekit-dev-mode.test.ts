import { describe, expect, it } from "vitest";
import { tracekitDevModeFinds } from "../../src/domain/tracekit-dev-mode.js";

describe("tracekitDevModeFinds", () => {
  it("is true only for plain HTTP on port 9999 of a loopback name, the address the SDKs probe", () => {
    for (const url of [
      "http://localhost:9999",
      "http://127.0.0.1:9999",
      "http://[::1]:9999",
      "http://LOCALHOST:9999/",
    ]) {
      expect(tracekitDevModeFinds(url), url).toBe(true);
    }
    for (const url of [
      "http://localhost:4000",
      "http://127.0.0.1:9453",
      "http://localhost",
      "http://devbox:9999",
      "http://192.168.1.20:9999",
      "https://localhost:9999",
      "not a url",
    ]) {
      expect(tracekitDevModeFinds(url), url).toBe(false);
    }
  });
});
