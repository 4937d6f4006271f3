import { describe, expect, it } from "vitest";
import {
  originPort,
  portNotice,
  type SetupSnippet,
  setupSnippets,
  standardPortsNote,
  TRACEKIT_ENDPOINT_NOTE,
  tracekitSdkFindsIt,
} from "../../web/src/features/onboarding/setup-snippets";

const ORIGIN = "http://localhost:4000";
/** The address TraceKit SDKs in development mode look at by themselves. */
const SDK_ORIGIN = "http://localhost:9999";
const byId = (origin: string) => new Map(setupSnippets(origin).map((s) => [s.id, s]));
const snippet = (id: string, origin = ORIGIN): SetupSnippet => byId(origin).get(id)!;
const code = (s: SetupSnippet) => s.steps.map((step) => step.code).join("\n");
const allText = (s: SetupSnippet) =>
  [s.title, s.intro, ...s.steps.flatMap((x) => [x.label, x.code]), ...s.notes].join("\n");
/** The command that starts the app: the last step. */
const run = (s: SetupSnippet) => s.steps.at(-1)!.code;
/** `NAME=value` words at the start of a command. */
const envOf = (command: string) =>
  Object.fromEntries(
    command
      .replace(/\\\n/g, " ")
      .split(/\s+/)
      .filter((word) => /^[A-Z_]+=/.test(word))
      .map((word) => [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]),
  );

describe("the set-ups", () => {
  it("offer TraceKit Python and Node, full offline TraceKit, OpenTelemetry Node (CommonJS, ESM), the browser, Python, Go, Java, .NET, and any SDK", () => {
    expect(setupSnippets(ORIGIN).map((s) => s.title)).toEqual([
      "TraceKit Python",
      "TraceKit Node",
      "Full offline TraceKit",
      "OpenTelemetry Node (CommonJS)",
      "OpenTelemetry Node (ESM)",
      "OpenTelemetry in the browser (JavaScript)",
      "OpenTelemetry Python",
      "OpenTelemetry Go",
      "OpenTelemetry Java",
      "OpenTelemetry .NET",
      "Any OpenTelemetry SDK",
    ]);
    const ids = setupSnippets(ORIGIN).map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("use this instance's address everywhere, and close every `code` span in their prose", () => {
    for (const origin of ["http://localhost:4000", "http://127.0.0.1:9999"]) {
      for (const s of setupSnippets(origin)) {
        expect(code(s)).toContain(origin);
        for (const url of code(s).match(/https?:\/\/(localhost|127\.0\.0\.1)[:\d]*/g) ?? []) expect(url).toBe(origin);
        for (const text of [s.intro, ...s.notes]) expect(text.split("`").length % 2).toBe(1);
      }
    }
  });

  it("TraceKit Python: tracekit-apm, its real init and Flask middleware, run with ENV=development on localhost:9999", () => {
    const s = snippet("tracekit-python", SDK_ORIGIN);
    expect(s.steps[0]!.code).toBe('pip install "tracekit-apm[flask]"');
    expect(code(s)).toContain("import tracekit");
    expect(code(s)).toContain("client = tracekit.init(");
    expect(code(s)).toContain('api_key=os.getenv("TRACEKIT_API_KEY")');
    expect(code(s)).toContain('endpoint=os.getenv("TRACEKIT_ENDPOINT"');
    expect(code(s)).toContain("from tracekit.middleware.flask import init_flask_app");
    expect(code(s)).toContain("init_flask_app(app, client)");
    expect(envOf(run(s))).toMatchObject({ ENV: "development", TRACEKIT_ENDPOINT: SDK_ORIGIN });
    expect(envOf(run(s)).TRACEKIT_API_KEY).toBeTruthy();
    expect(run(s)).toMatch(/python app\.py$/);
    expect(allText(s)).toContain("init_fastapi_app(app, client)");
    expect(allText(s)).toContain("tracekit.middleware.django.TracekitDjangoMiddleware");
  });

  it("TraceKit Node: @tracekit/node-apm, init and Express middleware, run with NODE_ENV=development (not ENV) on localhost:9999", () => {
    const s = snippet("tracekit-node", SDK_ORIGIN);
    expect(s.steps[0]!.code).toBe("npm install @tracekit/node-apm");
    expect(code(s)).toContain('const tracekit = require("@tracekit/node-apm");');
    expect(code(s)).toContain("tracekit.init({");
    expect(code(s)).toContain("apiKey: process.env.TRACEKIT_API_KEY");
    expect(code(s)).toContain("endpoint: process.env.TRACEKIT_ENDPOINT");
    expect(code(s)).toContain("app.use(tracekit.middleware());");
    // init before Express is loaded, so its HTTP instrumentation sees the server
    expect(code(s).indexOf("tracekit.init(")).toBeLessThan(code(s).indexOf('require("express")'));
    const env = envOf(run(s));
    expect(env).toMatchObject({ NODE_ENV: "development", TRACEKIT_ENDPOINT: SDK_ORIGIN });
    expect(env.ENV).toBeUndefined();
    expect(s.notes.join(" ")).toContain("does not read `ENV`");
  });

  it("TraceKit: development mode only on the instance the SDKs find, else left out with the reason", () => {
    // Development mode posts every span to whatever answers at localhost:9999 as well: on another port or
    // host that is not this instance, and TRACEKIT_ENDPOINT alone brings everything here.
    for (const origin of [ORIGIN, "http://127.0.0.1:4000", "http://devbox:9999", "http://192.168.1.20:9999"]) {
      for (const id of ["tracekit-python", "tracekit-node"]) {
        const s = snippet(id, origin);
        const env = envOf(run(s));
        expect(env.ENV).toBeUndefined();
        expect(env.NODE_ENV).toBeUndefined();
        expect(env).toMatchObject({ TRACEKIT_ENDPOINT: origin, TRACEKIT_API_KEY: "local" });
        expect(s.steps.at(-1)!.label).toBe("Run your app with this server as its backend");
        const notes = s.notes.join("\n");
        expect(notes).toContain(
          "is left out: in development mode the SDK also sends every span to whatever answers at `http://localhost:9999`, which is not this instance",
        );
        expect(notes).not.toContain("turns on the SDK's look-out");
        expect(notes).not.toContain("arrive both ways");
      }
      const offline = snippet("tracekit-offline", origin).notes.join("\n");
      expect(offline).toContain("is left out");
      expect(offline).not.toContain("Add `ENV=development`");
    }
    for (const origin of [SDK_ORIGIN, "http://127.0.0.1:9999", "http://[::1]:9999"]) {
      expect(envOf(run(snippet("tracekit-python", origin))).ENV).toBe("development");
      expect(envOf(run(snippet("tracekit-node", origin))).NODE_ENV).toBe("development");
      expect(snippet("tracekit-node", origin).steps.at(-1)!.label).toBe("Run your app in development mode");
      expect(snippet("tracekit-offline", origin).notes.join("\n")).toContain("Add `ENV=development`");
      for (const id of ["tracekit-python", "tracekit-node", "tracekit-offline"]) {
        expect(allText(snippet(id, origin))).not.toContain("is left out");
      }
    }
  });

  it("TraceKit set-ups never leave the SDK's exporter on its cloud default", () => {
    for (const id of ["tracekit-python", "tracekit-node", "tracekit-offline"]) {
      const s = snippet(id);
      expect(envOf(run(s)).TRACEKIT_ENDPOINT).toBe(ORIGIN);
      expect(code(s)).toMatch(/endpoint[:=] ?(os\.getenv\("TRACEKIT_ENDPOINT"|process\.env\.TRACEKIT_ENDPOINT)/);
    }
  });

  it("full offline TraceKit: TRACEKIT_ENDPOINT here, code monitoring options and snapshot calls of both SDKs", () => {
    const s = snippet("tracekit-offline");
    expect(allText(s)).toContain("X-API-Key");
    expect(code(s)).toContain("enable_code_monitoring=True");
    expect(code(s)).toContain("enableCodeMonitoring: true");
    expect(code(s)).toContain('client.capture_snapshot("checkout", {');
    expect(code(s)).toContain('await client.captureSnapshot("checkout", {');
    expect(envOf(run(s))).toMatchObject({ TRACEKIT_ENDPOINT: ORIGIN });
    // The SDK's metrics are stored, and said to be read as the SDK means them.
    expect(allText(s)).toMatch(/metrics .*are stored too/i);
    expect(allText(s)).toMatch(/counters as rates/);
  });

  it("OpenTelemetry Node: the packages, --require / --import, cloud detectors off, the batch delay explained", () => {
    const cjs = snippet("otel-node-cjs");
    const esm = snippet("otel-node-esm");
    for (const s of [cjs, esm]) {
      expect(s.steps[0]!.code).toBe("npm install @opentelemetry/api @opentelemetry/auto-instrumentations-node");
      expect(envOf(run(s))).toEqual({
        OTEL_EXPORTER_OTLP_ENDPOINT: ORIGIN,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
        OTEL_SERVICE_NAME: "my-app",
        OTEL_NODE_RESOURCE_DETECTORS: "env,host,os,process",
        OTEL_BSP_SCHEDULE_DELAY: "500",
      });
      expect(s.notes.join(" ")).toMatch(/5 s/);
      expect(s.notes.join(" ")).toMatch(/169\.254\.169\.254/);
    }
    expect(run(cjs)).toMatch(/node --require @opentelemetry\/auto-instrumentations-node\/register app\.js$/);
    expect(run(esm).replace(/\\\n\s*/g, "")).toMatch(
      /node --experimental-loader=@opentelemetry\/instrumentation\/hook\.mjs --import @opentelemetry\/auto-instrumentations-node\/register app\.js$/,
    );
  });

  it("OpenTelemetry Python: the distro over http/protobuf (its default is gRPC)", () => {
    const s = snippet("otel-python");
    expect(code(s)).toContain("pip install opentelemetry-distro opentelemetry-exporter-otlp");
    expect(code(s)).toContain("opentelemetry-bootstrap -a install");
    expect(envOf(run(s))).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: ORIGIN,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    });
    expect(run(s)).toMatch(/opentelemetry-instrument python app\.py$/);
  });

  it("OpenTelemetry Go: the OTLP/HTTP exporter (Go's exporters ignore the protocol variable), this address, plain HTTP", () => {
    for (const origin of [ORIGIN, "http://127.0.0.1:9999"]) {
      const s = snippet("otel-go", origin);
      expect(s.steps[0]!.code.replace(/\s*\\\n\s*/g, " ")).toBe(
        "go get go.opentelemetry.io/otel go.opentelemetry.io/otel/sdk " +
          "go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp " +
          "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
      );
      expect(code(s)).toContain('"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"');
      expect(code(s)).toContain("otlptracehttp.New(ctx)");
      expect(code(s)).toContain("sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter))");
      expect(code(s)).toContain("otel.SetTracerProvider(tp)");
      expect(code(s)).toContain('otelhttp.NewHandler(mux, "server")');
      expect(code(s)).not.toContain("otlptracegrpc");
      // The address with its http:// scheme (plain HTTP; Go's default is TLS), and no protocol variable, which
      // Go would ignore.
      const env = envOf(run(s));
      expect(env).toEqual({
        OTEL_EXPORTER_OTLP_ENDPOINT: origin,
        OTEL_SERVICE_NAME: "my-app",
        OTEL_BSP_SCHEDULE_DELAY: "500",
      });
      expect(run(s)).toMatch(/go run \.$/);
      const host = new URL(origin).host;
      expect(s.notes.join(" ")).toContain(
        `\`otlptracehttp.WithEndpoint("${host}")\` and \`otlptracehttp.WithInsecure()\``,
      );
    }
    const s = snippet("otel-go");
    expect(s.intro).toContain("`OTEL_EXPORTER_OTLP_PROTOCOL` does not change it");
    expect(s.notes.join(" ")).toMatch(
      /`otlptracegrpc`.*`tracekit-local --otlp-grpc-port 4317`.*`http:\/\/localhost:4317`/,
    );
    expect(s.notes.join(" ")).toContain("`otlpmetrichttp` and `otlploghttp`");
  });

  it("OpenTelemetry Java: the agent over http/protobuf, whatever its version's default", () => {
    const s = snippet("otel-java");
    expect(s.steps[0]!.code.replace(/\s*\\\n\s*/g, " ")).toBe(
      "curl -L -O https://github.com/open-telemetry/opentelemetry-java-instrumentation/releases/latest/download/opentelemetry-javaagent.jar",
    );
    expect(envOf(run(s))).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: ORIGIN,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_SERVICE_NAME: "my-app",
      OTEL_BSP_SCHEDULE_DELAY: "500",
    });
    expect(run(s)).toMatch(/java -javaagent:opentelemetry-javaagent\.jar -jar app\.jar$/);
    const notes = s.notes.join(" ");
    expect(notes).toMatch(/1\.x sends OTLP\/gRPC to port 4317.*`--otlp-grpc-port 4317`/);
    expect(notes).toContain("`OTEL_LOGS_EXPORTER=otlp`");
    expect(notes).toMatch(/AWS and GCP resource providers stay off/);
  });

  it("OpenTelemetry .NET: AddOtlpExporter over HttpProtobuf to this address's /v1/traces (a URL set in code gets no path)", () => {
    for (const origin of [ORIGIN, "http://127.0.0.1:9999"]) {
      const s = snippet("otel-dotnet", origin);
      expect(s.steps[0]!.code.split("\n")).toEqual([
        "dotnet add package OpenTelemetry.Extensions.Hosting",
        "dotnet add package OpenTelemetry.Exporter.OpenTelemetryProtocol",
        "dotnet add package OpenTelemetry.Instrumentation.AspNetCore",
        "dotnet add package OpenTelemetry.Instrumentation.Http",
      ]);
      expect(code(s)).toContain(".AddOtlpExporter(otlp =>");
      expect(code(s)).toContain(`otlp.Endpoint = new Uri("${origin}/v1/traces");`);
      expect(code(s)).toContain("otlp.Protocol = OtlpExportProtocol.HttpProtobuf;");
      expect(code(s)).not.toContain("OtlpExportProtocol.Grpc");
      expect(code(s)).toContain('.ConfigureResource(resource => resource.AddService("my-app"))');
      expect(s.notes.join(" ")).toContain(`\`new Uri("${origin}")\``);
    }
    const s = snippet("otel-dotnet");
    expect(run(s)).toMatch(/dotnet run$/);
    expect(s.notes.join(" ")).toMatch(/`\.UseOtlpExporter\(\.\.\.\)`.*`OtlpExportProtocol\.HttpProtobuf`/);
    expect(s.notes.join(" ")).toMatch(/`localhost:4317`.*`tracekit-local --otlp-grpc-port 4317`/);
  });

  it("every OpenTelemetry set-up whose SDK may stay on gRPC names the --otlp-grpc-port 4317 alternative", () => {
    for (const id of ["otel-python", "otel-go", "otel-java", "otel-dotnet", "otel-any"]) {
      expect(allText(snippet(id))).toContain("--otlp-grpc-port 4317");
    }
  });

  it("Python and any SDK: say where this instance takes OTLP/gRPC once its port is known", () => {
    const notes = (grpcPort: number | null, id: string) =>
      setupSnippets(ORIGIN, grpcPort)
        .find((s) => s.id === id)
        ?.notes.join(" ");
    for (const id of ["otel-python", "otel-any"]) {
      expect(notes(42001, id)).toContain(
        "port 4317, not served here; this tracekit-local takes OTLP/gRPC on port 42001: set `OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:42001` and `OTEL_EXPORTER_OTLP_PROTOCOL=grpc` to send there.",
      );
      // On the page's own host: localhost may not reach a server on ::1.
      expect(
        setupSnippets("http://[::1]:9999", 42001)
          .find((s) => s.id === id)
          ?.notes.join(" "),
      ).toContain("`OTEL_EXPORTER_OTLP_ENDPOINT=http://[::1]:42001`");
      expect(notes(4317, id)).toContain(
        "port 4317, which this tracekit-local serves: an exporter left on gRPC works with the endpoint unset.",
      );
      expect(notes(null, id)).toContain(
        "port 4317, which tracekit-local serves only when started with `--otlp-grpc-port 4317` (then leave the endpoint unset).",
      );
    }
  });

  it("any SDK: claims the variables only for SDKs that read them, and sends Go to its own tab", () => {
    const s = snippet("otel-any");
    expect(s.intro).not.toMatch(/every (opentelemetry )?sdk/i);
    expect(s.intro).toContain("SDKs that set up their exporter from the environment read these variables");
    expect(s.intro).toMatch(/as in Go, they set the address but not the protocol/);
  });

  it("any SDK: the two variables, and the full /v1/traces path for the traces-only variable", () => {
    const s = snippet("otel-any");
    expect(code(s)).toBe(
      `export OTEL_EXPORTER_OTLP_ENDPOINT=${ORIGIN}\nexport OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`,
    );
    expect(s.notes.join(" ")).toContain(`\`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT\``);
    expect(s.notes.join(" ")).toContain(`${ORIGIN}/v1/traces`);
  });
});

describe("the port rule", () => {
  it("reads the port of an origin, defaulting to the scheme's", () => {
    expect(originPort("http://localhost:4000")).toBe(4000);
    expect(originPort("http://localhost")).toBe(80);
    expect(originPort("https://tracekit.test")).toBe(443);
  });

  it("TraceKit SDKs find this instance by themselves only on port 9999 of a loopback name", () => {
    expect(tracekitSdkFindsIt("http://localhost:9999")).toBe(true);
    expect(tracekitSdkFindsIt("http://127.0.0.1:9999")).toBe(true);
    expect(tracekitSdkFindsIt("http://[::1]:9999")).toBe(true);
    expect(tracekitSdkFindsIt("http://localhost:4000")).toBe(false);
    // Port 9999 of another host is not the app's localhost:9999.
    expect(tracekitSdkFindsIt("http://devbox:9999")).toBe(false);
    expect(tracekitSdkFindsIt("http://192.168.1.20:9999")).toBe(false);
    expect(tracekitSdkFindsIt("https://localhost:9999")).toBe(false);
    expect(portNotice("http://localhost:9999")).toBeNull();
  });

  it("on port 9999 of another host says it is not localhost, and does not advise --port 9999", () => {
    const notice = portNotice("http://devbox:9999")!;
    expect(notice.text).toContain("This page is served from `devbox:9999`, not localhost");
    expect(notice.text).toContain("`http://localhost:9999/api/health`");
    expect(notice.text).not.toContain("--port 9999");
    expect(notice.code).toBe("TRACEKIT_ENDPOINT=http://devbox:9999");
  });

  it("on another port says so plainly and gives TRACEKIT_ENDPOINT with the real address", () => {
    const notice = portNotice("http://127.0.0.1:4000")!;
    expect(notice.text).toContain("port 4000");
    expect(notice.text).toContain("`http://localhost:9999/api/health`");
    expect(notice.code).toBe("TRACEKIT_ENDPOINT=http://127.0.0.1:4000");
    expect(notice.text).toContain("`tracekit-local --port 9999`");
  });

  it("says the variable reaches a TraceKit SDK only through its init call's endpoint, as the set-ups pass it", () => {
    const notice = portNotice("http://127.0.0.1:4000")!;
    expect(notice.text).toContain(TRACEKIT_ENDPOINT_NOTE);
    expect(TRACEKIT_ENDPOINT_NOTE).toContain("`endpoint: process.env.TRACEKIT_ENDPOINT`");
    expect(TRACEKIT_ENDPOINT_NOTE).toContain('`endpoint=os.getenv("TRACEKIT_ENDPOINT")`');
    expect(TRACEKIT_ENDPOINT_NOTE).toContain("Set the variable alone and the SDK keeps sending to TraceKit cloud");
    // The set-ups do pass it so.
    const code = setupSnippets("http://127.0.0.1:4000")
      .filter((s) => s.group === "TraceKit SDK")
      .map((s) => s.steps.map((step) => step.code).join("\n"))
      .join("\n");
    expect(code).toContain("endpoint: process.env.TRACEKIT_ENDPOINT");
    expect(code).toContain('endpoint=os.getenv("TRACEKIT_ENDPOINT"');
  });

  it("never claims an SDK looks at this instance's own address for the UI", () => {
    for (const origin of ["http://127.0.0.1:4000", "http://localhost:4000"]) {
      const texts = [...setupSnippets(origin).map(allText), portNotice(origin)!.text];
      for (const text of texts) expect(text).not.toContain(`${origin}/api/health`);
    }
  });
});

describe("standardPortsNote", () => {
  const flags = (note: string) => /started with `([^`]*)`/.exec(note)?.[1] ?? null;

  it("asks for the flags of the standard ports this instance does not serve, and names those it does", () => {
    expect(flags(standardPortsNote(null))).toBe("--otlp-grpc-port 4317 --otlp-http-port 4318");
    expect(flags(standardPortsNote({ grpc: null, http: null }))).toBe("--otlp-grpc-port 4317 --otlp-http-port 4318");
    const grpcOnly = standardPortsNote({ grpc: 4317, http: null });
    expect(grpcOnly).toMatch(/^This tracekit-local serves OTLP\/gRPC on `localhost:4317`\. /);
    expect(flags(grpcOnly)).toBe("--otlp-http-port 4318");
    // Another port than the SDKs' default is named, and the default still asked for.
    const elsewhere = standardPortsNote({ grpc: 5317, http: 4318 });
    expect(elsewhere).toContain("OTLP/gRPC on `localhost:5317` and OTLP/HTTP also on `localhost:4318`");
    expect(flags(elsewhere)).toBe("--otlp-grpc-port 4317");
    const both = standardPortsNote({ grpc: 4317, http: 4318 });
    expect(both).toMatch(/work unchanged, with no variable set: this tracekit-local serves both\.$/);
    expect(flags(both)).toBeNull();
  });
});
