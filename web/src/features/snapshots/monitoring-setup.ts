/**
 * How to get breakpoints onto the Snapshots page, filled in with this instance's real address. The
 * calls and option names are the TraceKit SDKs' own (their READMEs): `enable_code_monitoring` /
 * `enableCodeMonitoring`, `capture_snapshot` / `captureSnapshot`, and `endpoint`, which an app reads
 * from TRACEKIT_ENDPOINT itself (the SDKs take it only as an option).
 */
export interface MonitoringSetup {
  id: string;
  title: string;
  intro: string;
  steps: { label: string; code: string }[];
}

export function codeMonitoringSnippets(origin: string): MonitoringSetup[] {
  return [
    {
      id: "python",
      title: "Python",
      intro: "pip install tracekit-apm, turn code monitoring on, and point the SDK at this server.",
      steps: [
        {
          label: "Initialise the SDK",
          code:
            "import os, tracekit\n\n" +
            "client = tracekit.init(\n" +
            '    api_key=os.getenv("TRACEKIT_API_KEY", "local"),\n' +
            '    service_name="checkout-api",\n' +
            `    endpoint=os.getenv("TRACEKIT_ENDPOINT", "${origin}"),\n` +
            "    enable_code_monitoring=True,\n" +
            ")",
        },
        {
          label: "Capture variables where you want to look",
          code: 'client.capture_snapshot("checkout", {"cart": cart, "user_id": user_id})',
        },
        { label: "Run it", code: `TRACEKIT_ENDPOINT=${origin} python app.py` },
      ],
    },
    {
      id: "node",
      title: "Node.js",
      intro: "npm install @tracekit/node-apm, turn code monitoring on, and point the SDK at this server.",
      steps: [
        {
          label: "Initialise the SDK",
          code:
            "const tracekit = require('@tracekit/node-apm');\n\n" +
            "const client = tracekit.init({\n" +
            "  apiKey: process.env.TRACEKIT_API_KEY || 'local',\n" +
            "  serviceName: 'checkout-api',\n" +
            `  endpoint: process.env.TRACEKIT_ENDPOINT || '${origin}',\n` +
            "  enableCodeMonitoring: true,\n" +
            "});\n" +
            "app.use(tracekit.middleware());",
        },
        {
          label: "Capture variables where you want to look",
          code: "await client.captureSnapshot('checkout', { cart, userId });",
        },
        { label: "Run it", code: `TRACEKIT_ENDPOINT=${origin} node app.js` },
      ],
    },
  ];
}
