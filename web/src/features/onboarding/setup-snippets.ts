import { TRACEKIT_DEV_MODE_PORT, tracekitDevModeFinds } from "../../../../src/domain/tracekit-dev-mode.js";

/**
 * Copy-paste set-ups for the onboarding page, filled in with this instance's real address. Pure data:
 * the page renders it, the tests run the OpenTelemetry Node ones against a real server. Text in
 * backticks is shown as code.
 *
 * Facts they rest on (from the SDKs' own sources):
 * - TraceKit SDKs in development mode probe `http://localhost:9999/api/health` (host and port are fixed)
 *   and then post every span there. Python reads `ENV` or `NODE_ENV`, Node only `NODE_ENV`. So the
 *   set-ups turn it on only for the instance at that address: elsewhere it would send the app's spans to
 *   whatever else answers there too, and the endpoint below brings everything here without it.
 * - Beside that, a TraceKit SDK always runs its regular OTLP exporter to `endpoint` (default: TraceKit
 *   cloud). The set-ups pass `endpoint` from `TRACEKIT_ENDPOINT`, so nothing leaves the machine.
 * - The SDKs' middleware records nothing without an API key, so the set-ups give one; nothing checks it.
 * - OpenTelemetry's batch span processor exports every 5 s unless `OTEL_BSP_SCHEDULE_DELAY` says otherwise.
 * - `@opentelemetry/auto-instrumentations-node/register` runs every resource detector by default; the
 *   cloud ones (AWS, Azure, GCP, Alibaba) probe metadata addresses such as 169.254.169.254.
 * - Go picks its exporter in code: `otlptracehttp` (protobuf only, no JSON) or `otlptracegrpc`; neither reads
 *   `OTEL_EXPORTER_OTLP_PROTOCOL`. Both read `OTEL_EXPORTER_OTLP_ENDPOINT`; without one they use TLS.
 * - The Java agent 2.x sends http/protobuf to 4318 by default, 1.x gRPC to 4317; 2.x exports logs and metrics
 *   too. Its AWS and GCP resource providers are off unless turned on.
 * - .NET's `AddOtlpExporter` sends gRPC to 4317 unless told `HttpProtobuf` (it has no JSON). An `Endpoint`
 *   set in code is used as written, so with HTTP it names the signal's path; `OTEL_EXPORTER_OTLP_ENDPOINT`
 *   and `UseOtlpExporter`'s base address get `/v1/<signal>` appended.
 */
export interface SetupStep {
  label: string;
  code: string;
}

export interface SetupSnippet {
  id: string;
  /** The tab list is split into these groups; the tab shows `tab`, the panel `title`. */
  group: "TraceKit SDK" | "OpenTelemetry";
  tab: string;
  title: string;
  intro: string;
  steps: SetupStep[];
  /** Why the less obvious parts are there. */
  notes: string[];
}

/** The one port TraceKit SDKs look at by themselves. */
export const TRACEKIT_SDK_PORT = TRACEKIT_DEV_MODE_PORT;

/** The port in an origin such as `http://localhost:4000` (the scheme's default when none is written). */
export function originPort(origin: string): number {
  const url = new URL(origin);
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

/**
 * Whether a TraceKit SDK in development mode finds this instance by itself: the page is served from
 * port 9999 of a loopback name (`localhost`, `127.0.0.1`, `[::1]`), the address the SDK probes.
 */
export function tracekitSdkFindsIt(origin: string): boolean {
  return tracekitDevModeFinds(origin);
}

export interface PortNotice {
  title: string;
  text: string;
  /** The line that points a TraceKit SDK here instead. */
  code: string;
}

/**
 * How a TraceKit SDK is given this server as its backend, said alike wherever a page says it: the SDKs
 * read no variable for their endpoint (the Node SDK only its `endpoint` option), so an app that sets
 * `TRACEKIT_ENDPOINT` and passes nothing keeps sending to TraceKit cloud.
 */
export const TRACEKIT_ENDPOINT_NOTE =
  "The SDKs read no variable for it: their `tracekit.init` call passes it as `endpoint`, as the TraceKit " +
  "set-ups do, from `TRACEKIT_ENDPOINT` (`endpoint: process.env.TRACEKIT_ENDPOINT` in Node, " +
  '`endpoint=os.getenv("TRACEKIT_ENDPOINT")` in Python). Set the variable alone and the SDK keeps sending to ' +
  "TraceKit cloud.";

/** What the page says when TraceKit SDKs cannot find this instance by themselves; null when they can. */
export function portNotice(origin: string): PortNotice | null {
  if (tracekitSdkFindsIt(origin)) return null;
  // On port 9999 of another host name the page is not on the app's localhost: another machine's, maybe.
  const otherPort = originPort(origin) !== TRACEKIT_SDK_PORT;
  const where = otherPort
    ? `It listens on port ${originPort(origin)}`
    : `This page is served from \`${new URL(origin).host}\`, not localhost`;
  return {
    title: `TraceKit SDKs will not find this instance by themselves`,
    text:
      `${where}, but a TraceKit SDK in development mode only ever looks at ` +
      "`http://localhost:9999/api/health` (host and port are fixed in the SDK). Give the SDK this server as " +
      `its \`endpoint\` instead: it then uses this server as its whole backend, over standard OTLP. ${TRACEKIT_ENDPOINT_NOTE} ` +
      "OpenTelemetry set-ups need nothing more." +
      (otherPort ? " Or start tracekit-local on the default port: `tracekit-local --port 9999`." : ""),
    code: `TRACEKIT_ENDPOINT=${origin}`,
  };
}

/** `NAME=value` lines joined into one shell command with continuation lines. */
export function command(env: Record<string, string>, run: string): string {
  return [...Object.entries(env).map(([name, value]) => `${name}=${value}`), run].join(" \\\n");
}

const BATCH_DELAY_NOTE =
  "`OTEL_BSP_SCHEDULE_DELAY=500` sends spans every half second. Without it the SDK batches them for 5 s, " +
  "so a request shows up here about 5 s after it ends.";

/**
 * Why a TraceKit set-up on an instance the SDKs do not find leaves development mode (`variable`) out of
 * its run line: it would send every span to whatever else answers at localhost:9999 too.
 */
export function devModeLeftOutNote(variable: string): string {
  return (
    `${variable} is left out: in development mode the SDK also sends every span to whatever answers at ` +
    "`http://localhost:9999`, which is not this instance; `TRACEKIT_ENDPOINT` alone brings everything here."
  );
}

/** What `TRACEKIT_ENDPOINT` does in a TraceKit set-up, beside development mode's copy (`devMode`) or alone. */
function endpointNote(devMode: boolean, cloud: string): string {
  return (
    "`TRACEKIT_ENDPOINT`, passed as `endpoint` above (the SDK reads no such variable by itself), points the " +
    `SDK's regular exporter here${devMode ? " as well" : ", which sends everything"}; without it that exporter ` +
    `sends to ${cloud}.${devMode ? " Spans that arrive both ways carry the same ids and are kept once." : ""}`
  );
}

const TRACEKIT_API_KEY_NOTE =
  "`TRACEKIT_API_KEY` can be any text: nothing checks it here, but the SDK's middleware records nothing without one.";

/** `tracekit.init(...)` in Python as the SDK's README writes it, with `endpoint` from TRACEKIT_ENDPOINT. */
function pythonInit(...options: string[]): string[] {
  return [
    "client = tracekit.init(",
    '    api_key=os.getenv("TRACEKIT_API_KEY"),',
    '    service_name="my-app",',
    '    endpoint=os.getenv("TRACEKIT_ENDPOINT", "https://app.tracekit.dev/v1/traces"),',
    ...options.map((option) => `    ${option},`),
    ")",
  ];
}

/** The same for Node: `tracekit.init({...})`, its result assigned when `assignTo` is given. */
function nodeInit(assignTo: string | null, ...options: string[]): string[] {
  return [
    `${assignTo ? `const ${assignTo} = ` : ""}tracekit.init({`,
    "  apiKey: process.env.TRACEKIT_API_KEY,",
    '  serviceName: "my-app",',
    "  endpoint: process.env.TRACEKIT_ENDPOINT,",
    ...options.map((option) => `  ${option},`),
    "});",
  ];
}

function tracekitPython(origin: string): SetupSnippet {
  const devMode = tracekitSdkFindsIt(origin);
  return {
    id: "tracekit-python",
    group: "TraceKit SDK",
    tab: "Python",
    title: "TraceKit Python",
    intro:
      "TraceKit's SDK for Flask, FastAPI and Django. In development mode it checks " +
      "`http://localhost:9999/api/health` once and then sends every span there as it ends.",
    steps: [
      {
        label: "Install the SDK (with your framework: [flask], [fastapi] or [django])",
        code: 'pip install "tracekit-apm[flask]"',
      },
      {
        label: "Initialise it where you create your app (Flask shown; FastAPI and Django below)",
        code: [
          "import os",
          "import tracekit",
          "from flask import Flask",
          "from tracekit.middleware.flask import init_flask_app",
          "",
          "app = Flask(__name__)",
          ...pythonInit(),
          "init_flask_app(app, client)",
        ].join("\n"),
      },
      {
        label: devMode ? "Run your app in development mode" : "Run your app with this server as its backend",
        code: command(
          {
            ...(devMode ? { ENV: "development" } : {}),
            TRACEKIT_ENDPOINT: origin,
            TRACEKIT_API_KEY: "local",
            OTEL_BSP_SCHEDULE_DELAY: "500",
          },
          "python app.py",
        ),
      },
    ],
    notes: [
      devMode
        ? "`ENV=development` (or `NODE_ENV=development`) turns on the SDK's look-out for this UI on port 9999."
        : devModeLeftOutNote("`ENV=development` (or `NODE_ENV=development`)"),
      endpointNote(devMode, "TraceKit cloud"),
      TRACEKIT_API_KEY_NOTE,
      BATCH_DELAY_NOTE,
      "FastAPI: `from tracekit.middleware.fastapi import init_fastapi_app`, then `init_fastapi_app(app, client)`. " +
        "Django: add `tracekit.middleware.django.TracekitDjangoMiddleware` to `MIDDLEWARE` and call " +
        "`tracekit.init(...)` in your `AppConfig.ready()`.",
    ],
  };
}

function tracekitNode(origin: string): SetupSnippet {
  const devMode = tracekitSdkFindsIt(origin);
  return {
    id: "tracekit-node",
    group: "TraceKit SDK",
    tab: "Node",
    title: "TraceKit Node",
    intro:
      "TraceKit's SDK for Express and NestJS. With `NODE_ENV=development` it checks " +
      "`http://localhost:9999/api/health` once and then sends its spans there every second.",
    steps: [
      { label: "Install the SDK", code: "npm install @tracekit/node-apm" },
      {
        label: "Initialise it before loading Express, and add its middleware before your routes",
        code: [
          'const tracekit = require("@tracekit/node-apm");',
          "",
          ...nodeInit(null),
          "",
          'const express = require("express");',
          "const app = express();",
          "app.use(tracekit.middleware());",
        ].join("\n"),
      },
      {
        label: devMode ? "Run your app in development mode" : "Run your app with this server as its backend",
        code: command(
          {
            ...(devMode ? { NODE_ENV: "development" } : {}),
            TRACEKIT_ENDPOINT: origin,
            TRACEKIT_API_KEY: "local",
            OTEL_BSP_SCHEDULE_DELAY: "500",
          },
          "node app.js",
        ),
      },
    ],
    notes: [
      devMode
        ? "`NODE_ENV=development` turns on the SDK's look-out for this UI on port 9999. The Node SDK does not read `ENV`."
        : devModeLeftOutNote("`NODE_ENV=development`"),
      endpointNote(devMode, "TraceKit cloud (its default `endpoint`)"),
      TRACEKIT_API_KEY_NOTE,
      BATCH_DELAY_NOTE,
      "NestJS: import `TracekitModule.forRoot({ apiKey, serviceName, endpoint })` from `@tracekit/node-apm/nestjs`.",
    ],
  };
}

/** The variables every OpenTelemetry set-up here starts with. */
export function otelEnv(origin: string): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: origin,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_SERVICE_NAME: "my-app",
  };
}

export const NODE_INSTALL = "npm install @opentelemetry/api @opentelemetry/auto-instrumentations-node";

const NODE_DETECTORS_NOTE =
  "`OTEL_NODE_RESOURCE_DETECTORS=env,host,os,process` keeps the cloud resource detectors off: by default " +
  "they probe the AWS, Azure, GCP and Alibaba metadata addresses (such as 169.254.169.254) at start.";

function otelNode(origin: string, variant: "commonjs" | "esm"): SetupSnippet {
  const env = {
    ...otelEnv(origin),
    OTEL_NODE_RESOURCE_DETECTORS: "env,host,os,process",
    OTEL_BSP_SCHEDULE_DELAY: "500",
  };
  const register = "@opentelemetry/auto-instrumentations-node/register";
  if (variant === "commonjs") {
    return {
      id: "otel-node-cjs",
      group: "OpenTelemetry",
      tab: "Node (CommonJS)",
      title: "OpenTelemetry Node (CommonJS)",
      intro:
        "Zero-code instrumentation for an app that uses `require`: HTTP servers and clients, Express, databases " +
        "and more, with no change to your code.",
      steps: [
        { label: "Install the SDK", code: NODE_INSTALL },
        { label: "Start your app with it", code: command(env, `node --require ${register} app.js`) },
      ],
      notes: [NODE_DETECTORS_NOTE, BATCH_DELAY_NOTE],
    };
  }
  return {
    id: "otel-node-esm",
    group: "OpenTelemetry",
    tab: "Node (ESM)",
    title: "OpenTelemetry Node (ESM)",
    intro:
      'Zero-code instrumentation for an app that uses `import` (`.mjs` files or `"type": "module"`). ESM needs ' +
      "OpenTelemetry's loader hook as well, or imported libraries are not instrumented.",
    steps: [
      { label: "Install the SDK", code: NODE_INSTALL },
      {
        label: "Start your app with it",
        code: command(
          env,
          `node --experimental-loader=@opentelemetry/instrumentation/hook.mjs \\\n  --import ${register} app.js`,
        ),
      },
    ],
    notes: [
      "Node prints an ExperimentalWarning about `--experimental-loader` at start; it is harmless.",
      NODE_DETECTORS_NOTE,
      BATCH_DELAY_NOTE,
    ],
  };
}

/**
 * OpenTelemetry JS 2.x in a web page. No `OTEL_*` variable reaches a page, and a browser exporter uses
 * its `url` as given (it appends no `/v1/traces`), so the snippet names the full path. The server takes
 * OTLP from pages on loopback origins only (CORS), and a cross-origin request carries `traceparent`
 * only to the URLs in `propagateTraceHeaderCorsUrls`.
 */
function otelBrowser(origin: string): SetupSnippet {
  return {
    id: "otel-browser",
    group: "OpenTelemetry",
    tab: "Browser (JS)",
    title: "OpenTelemetry in the browser (JavaScript)",
    intro:
      "For JavaScript in the page (React, Vue, plain scripts; bundled by Vite, webpack and the like): " +
      "OpenTelemetry JS 2.x traces every `fetch` and sends the spans here from the browser.",
    steps: [
      {
        label: "Install the SDK, the OTLP exporter and the fetch instrumentation",
        code: [
          "npm install @opentelemetry/api @opentelemetry/sdk-trace-web \\",
          "  @opentelemetry/resources @opentelemetry/exporter-trace-otlp-http \\",
          "  @opentelemetry/instrumentation @opentelemetry/instrumentation-fetch",
        ].join("\n"),
      },
      {
        label: "Set up tracing in your entry module, before the rest of your code runs",
        code: [
          'import { BatchSpanProcessor, WebTracerProvider } from "@opentelemetry/sdk-trace-web";',
          'import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";',
          'import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";',
          'import { registerInstrumentations } from "@opentelemetry/instrumentation";',
          'import { FetchInstrumentation } from "@opentelemetry/instrumentation-fetch";',
          "",
          `const exporter = new OTLPTraceExporter({ url: "${origin}/v1/traces" });`,
          "const provider = new WebTracerProvider({",
          "  // Merged into the default resource, which names the SDK (a resource given alone replaces it).",
          '  resource: defaultResource().merge(resourceFromAttributes({ "service.name": "my-frontend" })),',
          "  spanProcessors: [new BatchSpanProcessor(exporter)],",
          "});",
          "provider.register();",
          "",
          "registerInstrumentations({",
          "  instrumentations: [",
          "    new FetchInstrumentation({",
          "      // Your API's origin: its requests get a traceparent header.",
          "      propagateTraceHeaderCorsUrls: [/^http:\\/\\/localhost:8080\\//],",
          "    }),",
          "  ],",
          "});",
        ].join("\n"),
      },
    ],
    notes: [
      "The exporter uses `url` as given, so it ends in `/v1/traces`; a browser exporter appends nothing and " +
        "reads no `OTEL_*` variable.",
      "Pages served from a loopback origin may send here (CORS): `http://localhost:<any port>`, " +
        "`http://127.0.0.1:<any port>`, `*.localhost`, and the same over `https://`. A page on any other origin " +
        "is refused; start tracekit-local with that origin to allow it: " +
        "`tracekit-local --cors-origin http://shop.test:5173`.",
      "`propagateTraceHeaderCorsUrls` lists your API's cross-origin URLs (regular expressions, or full URLs " +
        "matched exactly). The backend's own CORS must allow the `traceparent` header " +
        "(`Access-Control-Allow-Headers: traceparent`), or the browser blocks those requests. Requests to the " +
        "page's own origin, such as an API behind your dev server's proxy, carry it without being listed.",
      "`XMLHttpRequestInstrumentation` (`@opentelemetry/instrumentation-xml-http-request`) traces XHR and takes " +
        "the same option. A request that gets no response (refused, or blocked by CORS) is recorded with status 0.",
      "The batch span processor sends every 5 s; `new BatchSpanProcessor(exporter, { scheduledDelayMillis: 500 })` " +
        "sends every half second.",
    ],
  };
}

function otelPython(origin: string, grpcPort: number | null): SetupSnippet {
  return {
    id: "otel-python",
    group: "OpenTelemetry",
    tab: "Python",
    title: "OpenTelemetry Python",
    intro: "Zero-code instrumentation for Flask, Django, FastAPI, requests, SQLAlchemy and more.",
    steps: [
      {
        label: "Install the SDK and instrumentations for the libraries you use",
        code: "pip install opentelemetry-distro opentelemetry-exporter-otlp\nopentelemetry-bootstrap -a install",
      },
      {
        label: "Start your app with it",
        code: command({ ...otelEnv(origin), OTEL_BSP_SCHEDULE_DELAY: "500" }, "opentelemetry-instrument python app.py"),
      },
    ],
    notes: [
      `\`OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\` matters here: Python's default is gRPC on port 4317, ${grpcServed(origin, grpcPort)}`,
      BATCH_DELAY_NOTE,
    ],
  };
}

/** The extra OTLP listeners this instance runs (`--otlp-grpc-port`, `--otlp-http-port`), as /api/health says. */
export interface ExtraOtlpPorts {
  grpc: number | null;
  http: number | null;
}

const GRPC_DEFAULT = 4317;
const HTTP_DEFAULT = 4318;

/**
 * What SDKs left on their default endpoints (gRPC on 4317, HTTP on 4318) need: nothing when this
 * instance serves both, else the flags for what it does not serve; the ports it does serve, by number.
 * `ports` null: not known yet (the general note).
 */
export function standardPortsNote(ports: ExtraOtlpPorts | null): string {
  const defaults =
    "SDKs left on their default endpoints (OTLP/gRPC on `localhost:4317`, OTLP/HTTP on `localhost:4318`)";
  const grpcOn = ports?.grpc === GRPC_DEFAULT;
  const httpOn = ports?.http === HTTP_DEFAULT;
  if (grpcOn && httpOn) return `${defaults} work unchanged, with no variable set: this tracekit-local serves both.`;
  const serving = [
    ports?.grpc == null ? null : `OTLP/gRPC on \`localhost:${ports.grpc}\``,
    ports?.http == null ? null : `OTLP/HTTP also on \`localhost:${ports.http}\``,
  ].filter((part): part is string => part !== null);
  const missing = [
    grpcOn ? null : `--otlp-grpc-port ${GRPC_DEFAULT}`,
    httpOn ? null : `--otlp-http-port ${HTTP_DEFAULT}`,
  ]
    .filter((flag): flag is string => flag !== null)
    .join(" ");
  const now = serving.length === 0 ? "" : `This tracekit-local serves ${serving.join(" and ")}. `;
  return `${now}${defaults} work unchanged, with no variable set, when tracekit-local is started with \`${missing}\`${serving.length === 0 ? "" : " too"}.`;
}

const GRPC_FLAG_NOTE = "`tracekit-local --otlp-grpc-port 4317`";

function otelGo(origin: string): SetupSnippet {
  const host = new URL(origin).host;
  return {
    id: "otel-go",
    group: "OpenTelemetry",
    tab: "Go",
    title: "OpenTelemetry Go",
    intro:
      "Go picks its exporter in code, and `OTEL_EXPORTER_OTLP_PROTOCOL` does not change it: use the OTLP/HTTP " +
      "exporter, `otlptracehttp`. It reads this server's address from `OTEL_EXPORTER_OTLP_ENDPOINT` and " +
      "appends `/v1/traces`.",
    steps: [
      {
        label: "Add the SDK, the OTLP/HTTP trace exporter and the net/http instrumentation",
        code: [
          "go get go.opentelemetry.io/otel go.opentelemetry.io/otel/sdk \\",
          "  go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp \\",
          "  go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
        ].join("\n"),
      },
      {
        label: "Set up tracing in main and wrap your handler",
        code: [
          "import (",
          '\t"context"',
          '\t"log"',
          '\t"net/http"',
          "",
          '\t"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"',
          '\t"go.opentelemetry.io/otel"',
          '\t"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"',
          '\tsdktrace "go.opentelemetry.io/otel/sdk/trace"',
          ")",
          "",
          "func main() {",
          "\tctx := context.Background()",
          "\texporter, err := otlptracehttp.New(ctx) // reads OTEL_EXPORTER_OTLP_ENDPOINT",
          "\tif err != nil {",
          "\t\tlog.Fatal(err)",
          "\t}",
          "\ttp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter))",
          "\tdefer tp.Shutdown(ctx)",
          "\totel.SetTracerProvider(tp)",
          "",
          "\tmux := http.NewServeMux() // your routes",
          '\tlog.Fatal(http.ListenAndServe(":8080", otelhttp.NewHandler(mux, "server")))',
          "}",
        ].join("\n"),
      },
      {
        label: "Run it",
        code: command(
          { OTEL_EXPORTER_OTLP_ENDPOINT: origin, OTEL_SERVICE_NAME: "my-app", OTEL_BSP_SCHEDULE_DELAY: "500" },
          "go run .",
        ),
      },
    ],
    notes: [
      `The \`http://\` in the address means plain HTTP; Go's exporters use TLS when no address is given. To set it in ` +
        `code instead: \`otlptracehttp.WithEndpoint("${host}")\` and \`otlptracehttp.WithInsecure()\`.`,
      "Metrics and logs: `otlpmetrichttp` and `otlploghttp` (under `go.opentelemetry.io/otel/exporters/otlp`) " +
        "read the same variable, each with a meter or logger provider of its own.",
      "An app that keeps `otlptracegrpc` sends OTLP/gRPC: start " +
        GRPC_FLAG_NOTE +
        " and point it at `http://localhost:4317` (the `http://` turns TLS off).",
      BATCH_DELAY_NOTE,
    ],
  };
}

const JAVA_AGENT_URL =
  "https://github.com/open-telemetry/opentelemetry-java-instrumentation/releases/latest/download/opentelemetry-javaagent.jar";

function otelJava(origin: string): SetupSnippet {
  return {
    id: "otel-java",
    group: "OpenTelemetry",
    tab: "Java",
    title: "OpenTelemetry Java",
    intro:
      "Zero-code instrumentation with OpenTelemetry's Java agent: Spring, servlet containers, JDBC, HTTP clients " +
      "and more, with no change to your code. Agent 2.x sends traces, metrics and logs.",
    steps: [
      { label: "Download the agent", code: `curl -L -O \\\n  ${JAVA_AGENT_URL}` },
      {
        label: "Start your app with it",
        code: command(
          { ...otelEnv(origin), OTEL_BSP_SCHEDULE_DELAY: "500" },
          "java -javaagent:opentelemetry-javaagent.jar -jar app.jar",
        ),
      },
    ],
    notes: [
      "`OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf` makes every agent version send here: 2.x sends " +
        "`http/protobuf` by default, but 1.x sends OTLP/gRPC to port 4317, which tracekit-local serves only when " +
        "started with `--otlp-grpc-port 4317`. Agent 1.x sends logs only with `OTEL_LOGS_EXPORTER=otlp`.",
      "Metrics are exported every 60 s (`OTEL_METRIC_EXPORT_INTERVAL=10000` for every 10 s). The agent's AWS " +
        "and GCP resource providers stay off unless turned on, so it probes no cloud metadata address.",
      BATCH_DELAY_NOTE,
    ],
  };
}

function otelDotnet(origin: string): SetupSnippet {
  return {
    id: "otel-dotnet",
    group: "OpenTelemetry",
    tab: ".NET",
    title: "OpenTelemetry .NET",
    intro:
      "For ASP.NET Core. `AddOtlpExporter` sends OTLP/gRPC to port 4317 unless told otherwise, so the set-up " +
      "below asks for OTLP over HTTP (`HttpProtobuf`; .NET has no JSON variant).",
    steps: [
      {
        label: "Add the packages",
        code: [
          "dotnet add package OpenTelemetry.Extensions.Hosting",
          "dotnet add package OpenTelemetry.Exporter.OpenTelemetryProtocol",
          "dotnet add package OpenTelemetry.Instrumentation.AspNetCore",
          "dotnet add package OpenTelemetry.Instrumentation.Http",
        ].join("\n"),
      },
      {
        label: "Register it in Program.cs, before builder.Build()",
        code: [
          "using OpenTelemetry.Exporter;",
          "using OpenTelemetry.Resources;",
          "using OpenTelemetry.Trace;",
          "",
          "builder.Services.AddOpenTelemetry()",
          '    .ConfigureResource(resource => resource.AddService("my-app"))',
          "    .WithTracing(tracing => tracing",
          "        .AddAspNetCoreInstrumentation()",
          "        .AddHttpClientInstrumentation()",
          "        .AddOtlpExporter(otlp =>",
          "        {",
          `            otlp.Endpoint = new Uri("${origin}/v1/traces");`,
          "            otlp.Protocol = OtlpExportProtocol.HttpProtobuf;",
          "        }));",
        ].join("\n"),
      },
      { label: "Run it", code: command({ OTEL_BSP_SCHEDULE_DELAY: "500" }, "dotnet run") },
    ],
    notes: [
      "An `Endpoint` set in code is used as written, so it ends in `/v1/traces`. Or leave it and the protocol out " +
        "(`.AddOtlpExporter()`) and set the variables of the Any SDK tab: the exporter appends the path itself.",
      "Metrics and logs too: in place of `AddOtlpExporter`, call `.UseOtlpExporter(...)` once after " +
        "`AddOpenTelemetry()`, with `OtlpExportProtocol.HttpProtobuf` and " +
        `\`new Uri("${origin}")\`: it sends traces, metrics and \`ILogger\` logs, each to its own path ` +
        "(exporter 1.8 or later; it cannot be combined with `AddOtlpExporter`).",
      "An exporter left on its defaults sends OTLP/gRPC to `localhost:4317`, which tracekit-local serves when " +
        "started as " +
        GRPC_FLAG_NOTE +
        ". .NET's zero-code automatic instrumentation takes the variables of the Any SDK tab.",
      BATCH_DELAY_NOTE,
    ],
  };
}

function otelAny(origin: string, grpcPort: number | null): SetupSnippet {
  return {
    id: "otel-any",
    group: "OpenTelemetry",
    tab: "Any SDK",
    title: "Any OpenTelemetry SDK",
    intro:
      "SDKs that set up their exporter from the environment read these variables: Node, Python, the Java agent, " +
      "`AddOtlpExporter()` in .NET and most zero-code agents. Where the exporter is chosen in code, as in Go, " +
      "they set the address but not the protocol: choose the OTLP/HTTP exporter there (see the Go and .NET tabs). " +
      "This server takes OTLP over HTTP as protobuf or JSON (`http/json`, which some SDKs lack). The SDK appends " +
      "`/v1/traces`, `/v1/logs` and `/v1/metrics` to the endpoint, so logs and metrics come here too once their " +
      "exporters are on (`OTEL_LOGS_EXPORTER=otlp`, `OTEL_METRICS_EXPORTER=otlp`).",
    steps: [
      {
        label: "Set before starting your app",
        code: `export OTEL_EXPORTER_OTLP_ENDPOINT=${origin}\nexport OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`,
      },
    ],
    notes: [
      `If you set \`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT\` instead, give the full path: \`${origin}/v1/traces\`.`,
      `An SDK that stays on OTLP/gRPC (the default of .NET, of Java agent 1.x and of Python's exporter) sends to port 4317, ${grpcServed(origin, grpcPort)}`,
      "Most SDKs send spans in batches every 5 s, so a request shows up here about 5 s after it ends; " +
        "`OTEL_BSP_SCHEDULE_DELAY=500` makes that half a second.",
    ],
  };
}

function tracekitOffline(origin: string): SetupSnippet {
  return {
    id: "tracekit-offline",
    group: "TraceKit SDK",
    tab: "Full offline",
    title: "Full offline TraceKit",
    intro:
      "With its `endpoint` pointing here (read from `TRACEKIT_ENDPOINT` below), this server is a TraceKit SDK's " +
      "backend: traces, metrics and " +
      "code monitoring (breakpoints and variable snapshots) come here. No account; the `X-API-Key` the SDK sends " +
      "can be anything.",
    steps: [
      {
        label: "Turn on code monitoring and capture a snapshot (Python)",
        code: [
          ...pythonInit("enable_code_monitoring=True"),
          "",
          "# in a request handler:",
          'client.capture_snapshot("checkout", {"user_id": user_id, "total": total})',
        ].join("\n"),
      },
      {
        label: "Or the same in Node",
        code: [
          ...nodeInit("client", "enableCodeMonitoring: true"),
          "",
          "// in a request handler:",
          'await client.captureSnapshot("checkout", { userId, total });',
        ].join("\n"),
      },
      {
        label: "Run it with this server as its backend (node app.js for Node)",
        code: command({ TRACEKIT_ENDPOINT: origin, TRACEKIT_API_KEY: "local" }, "python app.py"),
      },
    ],
    notes: [
      "The first `capture_snapshot` / `captureSnapshot` at a line registers its breakpoint here. Enable it on " +
        "the Snapshots page: the SDK checks for enabled breakpoints every 30 s, and the next request's variables, " +
        "stack and request details show up beside its trace.",
      "Metrics from `client.counter(...)`, `client.gauge(...)` and `client.histogram(...)` are stored too (sent " +
        "every 10 s): counters as rates, and gauge and histogram values as distributions (p50, p95, p99), " +
        "because the SDK sends both as the same gauge points.",
      tracekitSdkFindsIt(origin)
        ? "Traces arrive through the SDK's standard OTLP exporter, so any port works. Add `ENV=development` " +
          "(Node: `NODE_ENV=development`) to also get each span the moment it ends."
        : "Traces arrive through the SDK's standard OTLP exporter, so any port works. " +
          devModeLeftOutNote("`ENV=development` (Node: `NODE_ENV=development`)"),
    ],
  };
}

/**
 * Where this instance takes OTLP/gRPC, ending a sentence about port 4317: `grpcPort` is its
 * `--otlp-grpc-port` as /api/health says (null: none, or not known yet).
 */
function grpcServed(origin: string, grpcPort: number | null): string {
  if (grpcPort === GRPC_DEFAULT)
    return "which this tracekit-local serves: an exporter left on gRPC works with the endpoint unset.";
  if (grpcPort !== null) {
    return (
      `not served here; this tracekit-local takes OTLP/gRPC on port ${grpcPort}: set ` +
      `\`OTEL_EXPORTER_OTLP_ENDPOINT=http://${new URL(origin).hostname}:${grpcPort}\` and \`OTEL_EXPORTER_OTLP_PROTOCOL=grpc\` to send there.`
    );
  }
  return "which tracekit-local serves only when started with `--otlp-grpc-port 4317` (then leave the endpoint unset).";
}

/** The set-ups, for this instance's address and, once known, its OTLP/gRPC port (`--otlp-grpc-port`). */
export function setupSnippets(origin: string, grpcPort: number | null = null): SetupSnippet[] {
  return [
    tracekitPython(origin),
    tracekitNode(origin),
    tracekitOffline(origin),
    otelNode(origin, "commonjs"),
    otelNode(origin, "esm"),
    otelBrowser(origin),
    otelPython(origin, grpcPort),
    otelGo(origin),
    otelJava(origin),
    otelDotnet(origin),
    otelAny(origin, grpcPort),
  ];
}
