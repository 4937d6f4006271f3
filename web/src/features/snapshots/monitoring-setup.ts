/**
 * How to get breakpoints onto the Snapshots page, filled in with this instance's real address. The
 * calls and option names are the TraceKit SDKs' own (see TRACEKIT-SDK facts in setup-snippets.ts):
 * `enable_code_monitoring` / `enableCodeMonitoring`, `capture_snapshot` / `captureSnapshot`, and
 * `endpoint`, which an app reads from TRACEKIT_ENDPOINT itself (the SDKs take it only as an option).
 * The run line is whole: the endpoint, an API key (the SDK's middleware records nothing without one), a
 * short span batch delay, so a capture's trace follows it here within a second, and development mode
 * (Python reads `ENV` or `NODE_ENV`, Node only `NODE_ENV`) only on the instance the SDKs find by
 * themselves: elsewhere it would send every span to whatever else answers at localhost:9999 too.
 */
import type { TabbedSetup } from "../../components/SetupTabs";
import { command, devModeLeftOutNote, tracekitSdkFindsIt } from "../onboarding/setup-snippets";

export type MonitoringSetupId = "node" | "python";

export interface MonitoringSetup extends TabbedSetup {
  id: MonitoringSetupId;
}

const API_KEY_NOTE =
  "`TRACEKIT_API_KEY` can be any text: nothing checks it here, but the SDK's middleware records nothing without one.";
const BATCH_NOTE =
  "`OTEL_BSP_SCHEDULE_DELAY=500` sends spans every half second; without it a capture's trace arrives about 5 s after it.";

/**
 * The note under the set-up: what an enabled breakpoint does. Neither the SDKs nor this server space
 * captures out in time (a busy endpoint sends several a second, and concurrent requests each capture),
 * so the limit and the expiry are what bound them.
 */
export const CAPTURE_NOTE =
  "Breakpoints start disabled; an enabled one captures every time its code runs (a busy endpoint sends several a second), " +
  "until it reaches its limit or expires. The SDK redacts values that look like secrets before it sends them, and " +
  "this page masks any it missed.";

export function codeMonitoringSnippets(origin: string): MonitoringSetup[] {
  const env = { TRACEKIT_ENDPOINT: origin, TRACEKIT_API_KEY: "local", OTEL_BSP_SCHEDULE_DELAY: "500" };
  const devMode = tracekitSdkFindsIt(origin);
  const runLabel = devMode ? "Run it in development mode" : "Run it with this server as its backend";
  return [
    {
      id: "node",
      title: "Node.js",
      intro: "npm install @tracekit/node-apm, turn code monitoring on, and point the SDK at this server.",
      steps: [
        { label: "Install the SDK", code: "npm install @tracekit/node-apm" },
        {
          label: "Initialise it before loading Express, with code monitoring on",
          code:
            "const tracekit = require('@tracekit/node-apm');\n\n" +
            "const client = tracekit.init({\n" +
            "  apiKey: process.env.TRACEKIT_API_KEY || 'local',\n" +
            "  serviceName: 'checkout-api',\n" +
            `  endpoint: process.env.TRACEKIT_ENDPOINT || '${origin}',\n` +
            "  enableCodeMonitoring: true,\n" +
            "});\n\n" +
            "const express = require('express');\n" +
            "const app = express();\n" +
            "app.use(tracekit.middleware());",
        },
        {
          label: "Capture variables where you want to look (in an async request handler)",
          code: "await client.captureSnapshot('checkout', { cart, userId });",
        },
        { label: runLabel, code: command({ ...(devMode ? { NODE_ENV: "development" } : {}), ...env }, "node app.js") },
      ],
      notes: [
        devMode
          ? "`NODE_ENV=development` also sends each span here as it ends. The Node SDK does not read `ENV`."
          : devModeLeftOutNote("`NODE_ENV=development`"),
        API_KEY_NOTE,
        BATCH_NOTE,
        "The Node SDK listens for changes live only once a poll has returned a breakpoint: the first one it registers is enabled for it at its next poll (every 30 s).",
      ],
    },
    {
      id: "python",
      title: "Python",
      intro: "pip install tracekit-apm, turn code monitoring on, and point the SDK at this server.",
      steps: [
        {
          label: "Install the SDK (with your framework: [flask], [fastapi] or [django])",
          code: 'pip install "tracekit-apm[flask]"',
        },
        {
          label: "Initialise it where you create your app, with code monitoring on (Flask shown)",
          code:
            "import os\n" +
            "import tracekit\n" +
            "from flask import Flask\n" +
            "from tracekit.middleware.flask import init_flask_app\n\n" +
            "app = Flask(__name__)\n" +
            "client = tracekit.init(\n" +
            '    api_key=os.getenv("TRACEKIT_API_KEY", "local"),\n' +
            '    service_name="checkout-api",\n' +
            `    endpoint=os.getenv("TRACEKIT_ENDPOINT", "${origin}"),\n` +
            "    enable_code_monitoring=True,\n" +
            ")\n" +
            "init_flask_app(app, client)",
        },
        {
          label: "Capture variables where you want to look (in a request handler)",
          code: 'client.capture_snapshot("checkout", {"cart": cart, "user_id": user_id})',
        },
        { label: runLabel, code: command({ ...(devMode ? { ENV: "development" } : {}), ...env }, "python app.py") },
      ],
      notes: [
        devMode
          ? "`ENV=development` (or `NODE_ENV=development`) also sends each span here as it ends."
          : devModeLeftOutNote("`ENV=development` (or `NODE_ENV=development`)"),
        API_KEY_NOTE,
        BATCH_NOTE,
        "The Python SDK asks for its breakpoints every 30 s: one you enable captures from its next poll on.",
        "FastAPI: `from tracekit.middleware.fastapi import init_fastapi_app`, then `init_fastapi_app(app, client)`. " +
          "Django: add `tracekit.middleware.django.TracekitDjangoMiddleware` to `MIDDLEWARE`.",
      ],
    },
  ];
}

/** An SDK's `telemetry.sdk.language` → its tab. */
const LANGUAGE_TABS: Record<string, MonitoringSetupId> = {
  python: "python",
  nodejs: "node",
  node: "node",
  javascript: "node",
  js: "node",
  typescript: "node",
};

/**
 * The tab to open: the SDK that sent the newest spans here (`languages`: their `telemetry.sdk.language`
 * values, most frequent first), else the reader's last pick, else Node.
 */
export function defaultSetupTab(languages: readonly string[], remembered: string | null): MonitoringSetupId {
  for (const language of languages) {
    const tab = LANGUAGE_TABS[language.toLowerCase()];
    if (tab !== undefined) return tab;
  }
  return remembered === "python" || remembered === "node" ? remembered : "node";
}
