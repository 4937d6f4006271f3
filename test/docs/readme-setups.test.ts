import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { setupSnippets } from "../../web/src/features/onboarding/setup-snippets.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const start = readme.indexOf("## Send it traces\n");
const section = readme.slice(start, readme.indexOf("\n## ", start + 1));

/** The README writes commands on one line or several; compare them with continuations and runs of spaces folded. */
const fold = (text: string) => text.replace(/\\\n\s*/g, " ").replace(/[ \t]+/g, " ");

describe("README's 'Send it traces' says what the onboarding page says", () => {
  const snippets = setupSnippets("http://localhost:9999");

  it.each(snippets.map((s) => [s.title, s] as const))("%s: its installs, variables and start command", (_title, s) => {
    const text = fold(section);
    for (const step of s.steps) {
      const lines = fold(step.code).split("\n");
      for (const line of lines) {
        const words = line.replace(/^export /, "").split(" ");
        // Installs and start commands appear as written; NAME=value words at least as variables.
        for (const word of words.filter((w) => /^[A-Z_]+=/.test(w))) expect(text).toContain(word);
        const command = words.filter((w) => !/^[A-Z_]+=/.test(w)).join(" ");
        if (/^(npm|pip|node|python|opentelemetry-|go |java |dotnet |curl )/.test(command))
          expect(text).toContain(command);
      }
    }
  });

  it("sets up Go, Java and .NET over OTLP/HTTP as the page does", () => {
    for (const fact of [
      "otlptracehttp.New(ctx)",
      'otlptracehttp.WithEndpoint("localhost:9999")',
      "otlptracehttp.WithInsecure()",
      'otlp.Endpoint = new Uri("http://localhost:9999/v1/traces");',
      "otlp.Protocol = OtlpExportProtocol.HttpProtobuf;",
      "--otlp-grpc-port 4317",
    ]) {
      expect(section).toContain(fact);
    }
    expect(section).not.toMatch(/every OpenTelemetry SDK reads/i);
  });

  it("states the port-9999 rule, the alternative, and the code-monitoring options", () => {
    expect(section).toContain("http://localhost:9999/api/health");
    expect(section).toContain("TRACEKIT_ENDPOINT=http://localhost:4000");
    for (const fact of ["enable_code_monitoring=True", "enableCodeMonitoring: true", "X-API-Key", "`NODE_ENV` only"]) {
      expect(section).toContain(fact);
    }
  });
});
