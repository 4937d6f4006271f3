import { describe, expect, it } from "vitest";
import { createHostPolicy, hostnameOf } from "../../src/server/security.js";

describe("hostnameOf", () => {
  it("strips ports and IPv6 brackets", () => {
    expect(hostnameOf("localhost:9999")).toBe("localhost");
    expect(hostnameOf("LOCALHOST")).toBe("localhost");
    expect(hostnameOf("[::1]:9999")).toBe("::1");
    expect(hostnameOf("::1")).toBe("::1");
    expect(hostnameOf("127.0.0.1")).toBe("127.0.0.1");
  });
});

describe("host policy on the default 127.0.0.1", () => {
  const policy = createHostPolicy("127.0.0.1");

  it("accepts the loopback names with any port", () => {
    for (const host of ["localhost:9999", "127.0.0.1:9999", "[::1]:9999", "localhost", "app.localhost:9999"]) {
      expect(policy.isAllowedHost(host), host).toBe(true);
    }
  });

  it("rejects other names (DNS rebinding) and a missing Host", () => {
    for (const host of ["evil.example:9999", "evil.example", "192.168.1.10:9999", "localhost.evil.example", ""]) {
      expect(policy.isAllowedHost(host), host).toBe(false);
    }
    expect(policy.isAllowedHost(undefined)).toBe(false);
  });

  it("treats only this port's loopback http pages as the app's own origin", () => {
    expect(policy.isOwnOrigin("http://localhost:9999", 9999)).toBe(true);
    expect(policy.isOwnOrigin("http://127.0.0.1:9999", 9999)).toBe(true);
    expect(policy.isOwnOrigin("http://localhost:3000", 9999)).toBe(false);
    expect(policy.isOwnOrigin("https://localhost:9999", 9999)).toBe(false);
    expect(policy.isOwnOrigin("http://evil.example:9999", 9999)).toBe(false);
    expect(policy.isOwnOrigin("null", 9999)).toBe(false);
  });

  it("accepts dev origins on any loopback port for OTLP CORS", () => {
    expect(policy.isDevOrigin("http://localhost:5173")).toBe(true);
    expect(policy.isDevOrigin("https://localhost:3000")).toBe(true);
    expect(policy.isDevOrigin("http://127.0.0.1:8080")).toBe(true);
    expect(policy.isDevOrigin("https://evil.example")).toBe(false);
    expect(policy.isDevOrigin("file://")).toBe(false);
    expect(policy.isDevOrigin("http://app.localhost:3000")).toBe(true);
    expect(policy.isDevOrigin("http://127.1.2.3:3000")).toBe(true);
    expect(policy.isDevOrigin("http://[::1]:3000")).toBe(true);
    expect(policy.isDevOrigin("http://shop.test:5173")).toBe(false);
  });

  it("adds the origins given with --cors-origin to the dev origins, never to the app's own", () => {
    const extra = createHostPolicy("127.0.0.1", { corsOrigins: ["http://shop.test:5173", "https://shop.test"] });
    expect(extra.isDevOrigin("http://shop.test:5173")).toBe(true);
    expect(extra.isDevOrigin("https://shop.test")).toBe(true);
    expect(extra.isDevOrigin("https://shop.test:443")).toBe(true);
    expect(extra.isDevOrigin("http://shop.test")).toBe(false);
    expect(extra.isDevOrigin("http://shop.test:5174")).toBe(false);
    expect(extra.isDevOrigin("http://localhost:5173")).toBe(true);
    expect(extra.isOwnOrigin("http://shop.test:5173", 5173)).toBe(false);
    expect(extra.isAllowedHost("shop.test:9999")).toBe(false);
  });
});

describe("host policy on a named or wildcard address", () => {
  it("accepts the --host it listens on", () => {
    const policy = createHostPolicy("192.168.5.5");
    expect(policy.isAllowedHost("192.168.5.5:9999")).toBe(true);
    expect(policy.isAllowedHost("192.168.5.6:9999")).toBe(false);
    expect(policy.wildcard).toBe(false);
  });

  it("accepts IP literals on 0.0.0.0 but still not foreign names", () => {
    const policy = createHostPolicy("0.0.0.0");
    expect(policy.wildcard).toBe(true);
    expect(policy.isAllowedHost("10.0.0.7:9999")).toBe(true);
    expect(policy.isAllowedHost("evil.example:9999")).toBe(false);
  });

  it("on 0.0.0.0 takes any Host for OTLP and the SDK protocol, also under a run's endpoint, and not for the rest", () => {
    const policy = createHostPolicy("0.0.0.0");
    for (const path of ["/v1/traces", "/sdk/snapshots/capture", "/run/ab12cd34/v1/metrics", "/run/ab12cd34/sdk/x"]) {
      expect(policy.allowsRequest(path, "host.docker.internal:9999"), path).toBe(true);
    }
    for (const path of ["/api/traces", "/run/ab12cd34/api/traces", "/run/ab12cd34/", "/run/a.b/v1/traces"]) {
      expect(policy.allowsRequest(path, "host.docker.internal:9999"), path).toBe(false);
    }
    expect(createHostPolicy("127.0.0.1").allowsRequest("/run/ab12cd34/v1/traces", "evil.example:9999")).toBe(false);
  });

  it("on 0.0.0.0 counts only this machine's addresses as its pages, not a site served from another IP", () => {
    const policy = createHostPolicy("0.0.0.0", { machineAddresses: () => ["127.0.0.1", "192.168.1.5", "fe80::1"] });
    // Any web site can be served from an IP literal on the same port: it must not pass as this app's page.
    expect(policy.isOwnOrigin("http://203.0.113.5:9999", 9999)).toBe(false);
    expect(policy.isOwnOrigin("http://[2001:db8::5]:9999", 9999)).toBe(false);
    expect(policy.isDevOrigin("http://203.0.113.5:3000")).toBe(false);
    // This machine reached by its own addresses still is.
    expect(policy.isOwnOrigin("http://192.168.1.5:9999", 9999)).toBe(true);
    expect(policy.isOwnOrigin("http://[fe80::1]:9999", 9999)).toBe(true);
    expect(policy.isOwnOrigin("http://localhost:9999", 9999)).toBe(true);
    expect(policy.isDevOrigin("http://192.168.1.5:5173")).toBe(true);
    // Host headers keep taking any IP literal: a request that arrived came to this machine.
    expect(policy.isAllowedHost("203.0.113.5:9999")).toBe(true);
  });
});

describe("origins that look like a developer's own", () => {
  it("are names without a dot, local names and private addresses, not public websites", async () => {
    const { looksLikeDevelopment } = await import("../../src/server/otlp-cors.js");
    for (const origin of [
      "http://api:3000",
      "http://shop.test:5173",
      "https://app.local",
      "http://web.internal",
      "http://10.0.0.7:8080",
      "http://172.20.1.2",
      "http://192.168.1.5:3000",
      "http://[fd12::1]:3000",
    ]) {
      expect(looksLikeDevelopment(origin), origin).toBe(true);
    }
    for (const origin of [
      "https://evil.example",
      "https://news.example.com",
      "http://203.0.113.7",
      "http://172.32.0.1",
      "null",
    ]) {
      expect(looksLikeDevelopment(origin), origin).toBe(false);
    }
  });
});
