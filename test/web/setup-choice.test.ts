import { describe, expect, it } from "vitest";
import { suggestedSetup } from "../../web/src/features/onboarding/setup-choice.js";
import { setupSnippets } from "../../web/src/features/onboarding/setup-snippets.js";

describe("the set-up the Setup page opens on", () => {
  it("has nothing to say when no span names its SDK's language", () => {
    expect(suggestedSetup([], [])).toBeNull();
    expect(suggestedSetup([], [{ value: "opentelemetry", count: 3 }])).toBeNull();
  });

  it("picks the TraceKit SDK of the language most spans name, unless as many come from OpenTelemetry", () => {
    expect(suggestedSetup([{ value: "nodejs", count: 10 }], [])).toBe("tracekit-node");
    expect(suggestedSetup([{ value: "python", count: 4 }], [])).toBe("tracekit-python");
    expect(suggestedSetup([{ value: "nodejs", count: 10 }], [{ value: "opentelemetry", count: 10 }])).toBe(
      "otel-node-cjs",
    );
    expect(suggestedSetup([{ value: "Python", count: 4 }], [{ value: "opentelemetry", count: 9 }])).toBe("otel-python");
    // Most Node spans from the TraceKit SDK, a few from OpenTelemetry.
    expect(
      suggestedSetup(
        [
          { value: "nodejs", count: 10 },
          { value: "go", count: 2 },
        ],
        [{ value: "opentelemetry", count: 2 }],
      ),
    ).toBe("tracekit-node");
    // More Python spans from OpenTelemetry (60) than from the TraceKit SDK (50).
    expect(suggestedSetup([{ value: "python", count: 110 }], [{ value: "opentelemetry", count: 60 }])).toBe(
      "otel-python",
    );
    // Every Node span from the TraceKit SDK, more Go spans from OpenTelemetry beside them.
    expect(
      suggestedSetup(
        [
          { value: "nodejs", count: 10 },
          { value: "go", count: 8 },
        ],
        [{ value: "opentelemetry", count: 8 }],
      ),
    ).toBe("tracekit-node");
  });

  it("picks a TraceKit SDK's set-up by its tracer, though its resource reads as OpenTelemetry's", () => {
    // The Node SDK 1.7's spans sent to an endpoint: OpenTelemetry's resource; its middleware's tracer.
    const node = [{ value: "nodejs", count: 20 }];
    const otel = [{ value: "opentelemetry", count: 20 }];
    const nodeScopes = [
      { value: "@opentelemetry/instrumentation-http", count: 14 },
      { value: "@tracekit/node-apm", count: 6 },
    ];
    expect(suggestedSetup(node, otel, nodeScopes)).toBe("tracekit-node");
    expect(
      suggestedSetup(
        [{ value: "python", count: 5 }],
        [{ value: "opentelemetry", count: 5 }],
        [{ value: "tracekit.client", count: 5 }],
      ),
    ).toBe("tracekit-python");
    // Without a TraceKit tracer, as before: OpenTelemetry's.
    expect(suggestedSetup(node, otel, [{ value: "@opentelemetry/instrumentation-http", count: 20 }])).toBe(
      "otel-node-cjs",
    );
    expect(suggestedSetup(node, otel, [{ value: "tracekitchen", count: 20 }])).toBe("otel-node-cjs");
  });

  it("has OpenTelemetry's set-up for the other languages, the generic one for a language without its own", () => {
    expect(suggestedSetup([{ value: "go", count: 1 }], [{ value: "opentelemetry", count: 1 }])).toBe("otel-go");
    expect(suggestedSetup([{ value: "java", count: 1 }], [])).toBe("otel-java");
    expect(suggestedSetup([{ value: "dotnet", count: 1 }], [])).toBe("otel-dotnet");
    expect(suggestedSetup([{ value: "ruby", count: 1 }], [])).toBe("otel-any");
    // OpenTelemetry JS in a web page names its language webjs.
    expect(suggestedSetup([{ value: "webjs", count: 1 }], [{ value: "opentelemetry", count: 1 }])).toBe("otel-browser");
  });

  it("names only set-ups the page has", () => {
    const ids = new Set(setupSnippets("http://localhost:9999").map((s) => s.id));
    for (const language of ["nodejs", "webjs", "python", "go", "java", "dotnet", "rust"]) {
      for (const names of [[], [{ value: "opentelemetry", count: 5 }]]) {
        expect(ids.has(suggestedSetup([{ value: language, count: 5 }], names) as string)).toBe(true);
      }
    }
  });
});
