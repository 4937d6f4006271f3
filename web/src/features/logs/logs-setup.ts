/**
 * How to send logs here, filled in with this instance's address: shown while the Logs page is empty.
 * Pure data. Facts it rests on (the SDKs' own documentation):
 * - Node's `@opentelemetry/auto-instrumentations-node/register` starts the SDK with a logs exporter
 *   from `OTEL_LOGS_EXPORTER` (default `otlp`); its pino (v7+) and bunyan instrumentations send every
 *   record, winston's once `@opentelemetry/winston-transport` is installed too, each with the trace and
 *   span it was written in.
 * - Python's `opentelemetry-instrument` attaches a handler to the `logging` module when
 *   `OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED=true`, and exports through `OTEL_LOGS_EXPORTER`.
 * - Every SDK appends `/v1/logs` to `OTEL_EXPORTER_OTLP_ENDPOINT`.
 */
import type { TabbedSetup } from "../../components/SetupTabs";
import { command, NODE_INSTALL, otelEnv } from "../onboarding/setup-snippets";

export function logsSetups(origin: string): TabbedSetup[] {
  const env = { ...otelEnv(origin), OTEL_LOGS_EXPORTER: "otlp" };
  return [
    {
      id: "logs-node",
      title: "Node",
      intro:
        "OpenTelemetry's Node instrumentation sends what pino and bunyan write (winston's too, with " +
        "`@opentelemetry/winston-transport` installed), each record linked to the trace and span it was written in.",
      steps: [
        { label: "Install the SDK", code: NODE_INSTALL },
        {
          label: "Start your app with it",
          code: command(
            { ...env, OTEL_NODE_RESOURCE_DETECTORS: "env,host,os,process" },
            "node --require @opentelemetry/auto-instrumentations-node/register app.js",
          ),
        },
      ],
    },
    {
      id: "logs-python",
      title: "Python",
      intro: "`opentelemetry-instrument` sends the records of Python's `logging` module once it is told to.",
      steps: [
        {
          label: "Install the SDK",
          code: "pip install opentelemetry-distro opentelemetry-exporter-otlp\nopentelemetry-bootstrap -a install",
        },
        {
          label: "Start your app with it",
          code: command(
            { ...env, OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED: "true" },
            "opentelemetry-instrument python app.py",
          ),
        },
      ],
    },
    {
      id: "logs-any",
      title: "Any SDK",
      intro: `Turn on the SDK's OTLP logs exporter and point it here; it posts to ${origin}/v1/logs.`,
      steps: [
        {
          label: "Set before starting your app",
          code: Object.entries(env)
            .map(([name, value]) => `export ${name}=${value}`)
            .join("\n"),
        },
      ],
    },
  ];
}
