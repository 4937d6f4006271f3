/** Copy-paste setups for the onboarding page, filled in with this instance's real address. */
export interface SetupSnippet {
  id: string;
  title: string;
  intro: string;
  steps: { label: string; code: string }[];
}

export function setupSnippets(origin: string): SetupSnippet[] {
  return [
    {
      id: "tracekit",
      title: "TraceKit (Python)",
      intro: `TraceKit SDKs look for this UI at ${origin}/api/health when ENV=development and send their traces here, no key needed.`,
      steps: [{ label: "Run your app in development mode", code: "ENV=development python app.py" }],
    },
    {
      id: "node",
      title: "Node.js",
      intro: "Zero-code instrumentation: HTTP servers and clients, databases and more, with no change to your code.",
      steps: [
        {
          label: "Install the SDK",
          code: "npm install @opentelemetry/api @opentelemetry/auto-instrumentations-node",
        },
        {
          label: "Start your app with it",
          code:
            `OTEL_EXPORTER_OTLP_ENDPOINT=${origin} \\\n` +
            "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \\\n" +
            "OTEL_SERVICE_NAME=my-app \\\n" +
            "node --require @opentelemetry/auto-instrumentations-node/register app.js",
        },
      ],
    },
    {
      id: "python",
      title: "Python",
      intro: "Zero-code instrumentation for Flask, Django, FastAPI, requests, SQLAlchemy and more.",
      steps: [
        {
          label: "Install the SDK and instrument your dependencies",
          code: "pip install opentelemetry-distro opentelemetry-exporter-otlp\nopentelemetry-bootstrap -a install",
        },
        {
          label: "Start your app with it",
          code:
            `OTEL_EXPORTER_OTLP_ENDPOINT=${origin} \\\n` +
            "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \\\n" +
            "OTEL_SERVICE_NAME=my-app \\\n" +
            "opentelemetry-instrument python app.py",
        },
      ],
    },
    {
      id: "any",
      title: "Any OpenTelemetry SDK",
      intro:
        "Every OpenTelemetry SDK reads these variables. Use OTLP over HTTP (protobuf or JSON); traces go to /v1/traces.",
      steps: [
        {
          label: "Set before starting your app",
          code: `export OTEL_EXPORTER_OTLP_ENDPOINT=${origin}\nexport OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`,
        },
      ],
    },
  ];
}
