import { describe, expect, it } from "vitest";
import { runEnvironment } from "../../src/cli/run-env.js";

const devVars = (env: NodeJS.ProcessEnv) => ({ ENV: env.ENV, NODE_ENV: env.NODE_ENV });

describe("runEnvironment's development mode", () => {
  it("fills ENV and NODE_ENV when unset for the instance at localhost:9999, and keeps the user's own", () => {
    for (const url of ["http://localhost:9999", "http://127.0.0.1:9999", "http://[::1]:9999"]) {
      expect(devVars(runEnvironment({}, { url, runId: "a1b2c3d4" })), url).toEqual({
        ENV: "development",
        NODE_ENV: "development",
      });
      // An empty one is as good as unset.
      expect(devVars(runEnvironment({ ENV: "", NODE_ENV: "staging" }, { url, runId: "a1b2c3d4" }))).toEqual({
        ENV: "development",
        NODE_ENV: "staging",
      });
    }
  });

  it("leaves them as the user has them for an instance elsewhere: development mode would also send to localhost:9999", () => {
    for (const url of [
      "http://localhost:9453",
      "http://127.0.0.1:4000",
      "http://devbox:9999",
      "http://192.168.1.20:9999",
    ]) {
      const env = runEnvironment({ PATH: "/usr/bin" }, { url, runId: "a1b2c3d4" });
      expect("ENV" in env || "NODE_ENV" in env, url).toBe(false);
      // Everything else still points here.
      expect(env.TRACEKIT_ENDPOINT).toBe(`${url}/run/a1b2c3d4`);
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(url);
      expect(devVars(runEnvironment({ NODE_ENV: "development" }, { url, runId: "a1b2c3d4" }))).toEqual({
        ENV: undefined,
        NODE_ENV: "development",
      });
    }
  });
});
