import { describe, expect, it } from "vitest";
import { describeSecurityFlag } from "../../src/domain/security-flag";
import {
  CAPTURE_NOTE,
  codeMonitoringSnippets,
  defaultSetupTab,
  type MonitoringSetup,
} from "../../web/src/features/snapshots/monitoring-setup";
import {
  describeSdkEvent,
  laterPauseStarts,
  missingTraceText,
  parseStackTrace,
  requestSummary,
  spansMayStillArrive,
  truncatedPayload,
} from "../../web/src/features/snapshots/snapshot-text";
import { formatClock } from "../../web/src/lib/format";

describe("stack traces", () => {
  it("reads Node's frames and drops the Error heading", () => {
    const frames = parseStackTrace(
      [
        "Error",
        "    at SnapshotClient.checkAndCaptureWithContext (/app/node_modules/@tracekit/node-apm/dist/snapshot-client.js:210:19)",
        "    at placeOrder (/app/src/checkout.js:42:7)",
        "    at async /app/src/routes.js:10:3",
        "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
        "    at Array.map (<anonymous>)",
        "    at async Promise.all (index 0)",
      ].join("\n"),
    );
    expect(frames).toEqual([
      {
        fn: "SnapshotClient.checkAndCaptureWithContext",
        location: "/app/node_modules/@tracekit/node-apm/dist/snapshot-client.js:210:19",
        origin: "sdk",
      },
      { fn: "placeOrder", location: "/app/src/checkout.js:42:7", origin: "app" },
      { fn: null, location: "/app/src/routes.js:10:3", origin: "app" },
      {
        fn: "process.processTicksAndRejections",
        location: "node:internal/process/task_queues:95:5",
        origin: "library",
      },
      { fn: "Array.map", location: "<anonymous>", origin: "library" },
      { fn: "Promise.all", location: "index 0", origin: "library" },
    ]);
  });

  it("tells the SDK's own frames from the app's when the SDK is a local checkout, not under node_modules", () => {
    const sdk = "/home/dev/src/tracekit-node/dist";
    const frames = parseStackTrace(
      [
        "Error",
        `    at SnapshotClient._doCheckAndCapture (${sdk}/snapshot-client.js:124:23)`,
        `    at ${sdk}/snapshot-client.js:130:5`,
        `    at TracekitClient.captureSnapshot (${sdk}/client.js:488:39)`,
        `    at ${sdk}/client.js:500:1`,
        "    at getUser (/home/dev/src/shop/src/client.js:8:16)",
        "    at Layer.handle (/home/dev/src/shop/node_modules/express/lib/router/layer.js:95:5)",
      ].join("\n"),
    );
    expect(frames.map((f) => f.origin)).toEqual(["sdk", "sdk", "sdk", "sdk", "app", "library"]);
    // The Python SDK as a checkout or a package, by its package folder.
    expect(
      parseStackTrace(
        "capture_snapshot at /home/dev/python-apm/tracekit/client.py:310\n" +
          "check_and_capture at /home/dev/venv/lib/python3.12/site-packages/tracekit/snapshot_client.py:88\n" +
          "checkout at /srv/app/views.py:42",
      ).map((f) => f.origin),
    ).toEqual(["sdk", "sdk", "app"]);
    // A checkout in a folder of another name: its package folder, by the snapshot client's file in it.
    expect(
      parseStackTrace(
        "capture_snapshot at /home/dev/sdk/tracekit/client.py:310\n" +
          "check_and_capture at /home/dev/sdk/tracekit/snapshot_client.py:88\n" +
          "checkout at /srv/app/views.py:42",
      ).map((f) => f.origin),
    ).toEqual(["sdk", "sdk", "app"]);
    // An app of its own in a folder named tracekit is the app.
    expect(
      parseStackTrace(
        [
          "Error",
          "    at SnapshotClient.checkAndCaptureWithContext (/srv/node_modules/@tracekit/node-apm/dist/snapshot-client.js:210:19)",
          "    at placeOrder (/home/dev/src/tracekit/server.js:42:7)",
        ].join("\n"),
      ).map((f) => f.origin),
    ).toEqual(["sdk", "app"]);
  });

  it("tags only the SDK's own files: not a dependency installed under its folder, nor another package's", () => {
    const sdk = "/app/node_modules/@tracekit/node-apm";
    const frames = parseStackTrace(
      [
        "Error",
        `    at SnapshotClient.checkAndCaptureWithContext (${sdk}/dist/snapshot-client.js:210:19)`,
        `    at TracekitClient.captureSnapshot (${sdk}/dist/client.js:488:39)`,
        `    at Layer.handle (${sdk}/node_modules/express/lib/router/layer.js:95:5)`,
        `    at next (${sdk}/node_modules/express/lib/router/route.js:149:13)`,
        "    at placeOrder (/app/src/checkout.js:42:7)",
        // pnpm's store: the package's own folder is the one after the last node_modules.
        "    at capture (/app/node_modules/.pnpm/@tracekit+node-apm@1.7.0/node_modules/@tracekit/node-apm/dist/client.js:500:1)",
        "    at handle (/app/node_modules/.pnpm/express@4.21.2/node_modules/express/lib/router/index.js:284:7)",
        // An unrelated package whose name ends like the SDK's folder.
        "    at run (/app/node_modules/my-node-apm/index.js:3:1)",
      ].join("\n"),
    );
    expect(frames.map((f) => f.origin)).toEqual([
      "sdk",
      "sdk",
      "library",
      "library",
      "app",
      "sdk",
      "library",
      "library",
    ]);
    // Python: a package beside the SDK's in site-packages is a library.
    expect(
      parseStackTrace(
        "check_and_capture at /venv/lib/python3.12/site-packages/tracekit/snapshot_client.py:88\n" +
          "send at /venv/lib/python3.12/site-packages/requests/api.py:59",
      ).map((f) => f.origin),
    ).toEqual(["sdk", "library"]);
  });

  it("reads the Python SDK's frames", () => {
    const frames = parseStackTrace(
      "checkout at /srv/app/views.py:88\nwrapper at /usr/lib/python3.12/site-packages/flask/app.py:1498\n/srv/app/run.py:5",
    );
    expect(frames).toEqual([
      { fn: "checkout", location: "/srv/app/views.py:88", origin: "app" },
      { fn: "wrapper", location: "/usr/lib/python3.12/site-packages/flask/app.py:1498", origin: "library" },
      { fn: null, location: "/srv/app/run.py:5", origin: "app" },
    ]);
    expect(parseStackTrace("")).toEqual([]);
  });
});

describe("security flags and SDK events", () => {
  it("words both SDKs' flag types", () => {
    expect(describeSecurityFlag({ type: "sensitive_variable_name", severity: "medium", variable: "password" })).toBe(
      "sensitive variable name",
    );
    expect(describeSecurityFlag({ type: "sensitive_data_[REDACTED:credit_card]", severity: "high" })).toBe(
      "credit card in the value",
    );
    expect(describeSecurityFlag({ type: "sensitive_data_jwt", severity: "high" })).toBe("jwt in the value");
    expect(describeSecurityFlag({ type: "something_else", severity: "low" })).toBe("something else");
  });

  /** As the Node SDK reports its tripped circuit breaker, received at 10:00:00. */
  const tripped = {
    id: "e1",
    service: "checkout-api",
    type: "circuit_breaker_tripped",
    receivedAt: "2026-12-02T10:00:00Z",
    data: { failure_count: 3, window_seconds: 60, cooldown_seconds: 300 },
  };

  it("says what a capture refused here was, at which label, and why", () => {
    const refused = {
      id: "r1",
      service: "shop-api",
      type: "capture_refused",
      receivedAt: "2026-12-02T10:00:00Z",
      data: {
        label: "pay\u202Edrawer",
        status: 413,
        code: "body_too_large",
        message: "body is larger than the 1 MiB limit",
      },
    };
    expect(describeSdkEvent(refused)).toBe(
      'shop-api: a capture at "pay⟨RLO⟩drawer" was refused (413): body is larger than the 1 MiB limit; nothing of it was kept',
    );
    expect(describeSdkEvent({ ...refused, data: { label: null } })).toBe(
      "shop-api: a capture was refused; nothing of it was kept",
    );
  });

  it("explains a tripped circuit breaker", () => {
    const event = tripped;
    const received = Date.parse(event.receivedAt);
    const cause =
      "after 3 captures it could not send within 1m (this server could not be reached or failed, or the SDK could not serialize the variables, such as an object that refers to itself: see the app's console)";
    expect(describeSdkEvent(event)).toBe(
      `checkout-api: the SDK paused snapshot capture ${cause}; it captures again at ${formatClock(received + 300_000).slice(0, 8)}.`,
    );
    // The numbers the badge and the terminal read (pauseOfEvent): no cooldown, or a negative one, is the
    // SDK's 5 minutes; the SDK's time stamp only within the poll before the event arrived.
    const ends = `; it captures again at ${formatClock(received + 300_000).slice(0, 8)}.`;
    expect(describeSdkEvent({ ...event, data: {} })).toBe(
      `checkout-api: the SDK paused snapshot capture after captures it could not send (this server could not be reached or failed, or the SDK could not serialize the variables, such as an object that refers to itself: see the app's console)${ends}`,
    );
    expect(describeSdkEvent({ ...event, data: { ...event.data, cooldown_seconds: -300 } })).toContain(ends);
    expect(describeSdkEvent({ ...event, data: { ...event.data, timestamp: "2026-12-02T13:00:00Z" } })).toContain(ends);
    // Given the time: a pause that is over says so.
    expect(describeSdkEvent(event, received + 299_000)).toContain(ends);
    expect(describeSdkEvent(event, received + 300_000)).toBe(
      `checkout-api: the SDK paused snapshot capture ${cause}; the pause ended at ${formatClock(received + 300_000).slice(0, 8)}.`,
    );
    expect(describeSdkEvent({ ...event, data: { cooldown_seconds: -1 } }, received + 300_000)).toContain(
      "the pause ended at",
    );
    expect(describeSdkEvent({ ...event, type: "capture_resumed" })).toBe("checkout-api: capture resumed");
  });

  it("writes a pause's end as the badge, the terminal and MCP do: rounded up, or where a capture ended it", () => {
    const event = { ...tripped, receivedAt: "2026-12-02T10:00:00.400Z" };
    const received = Date.parse(event.receivedAt);
    const clock = (ms: number) => formatClock(ms).slice(0, 8);
    expect(describeSdkEvent(event, received)).toContain(`; it captures again at ${clock(received + 300_600)}.`);
    expect(clock(received + 300_600)).not.toBe(clock(received + 300_000));
    // The server's pause for the service: this one, ended by a capture 30 s in; or a newer one (not this).
    const kept = { since: received, until: received + 30_000, failures: 3, windowSeconds: 60 };
    expect(describeSdkEvent(event, received + 10_000, { "checkout-api": kept })).toContain(
      `; it captures again at ${clock(received + 30_600)}.`,
    );
    expect(describeSdkEvent(event, received + 31_000, { "checkout-api": kept })).toContain(
      `; the pause ended at ${clock(received + 30_600)}.`,
    );
    const newer = { ...kept, since: received + 60_000, until: received + 61_000 };
    expect(describeSdkEvent(event, received + 62_000, { "checkout-api": newer })).toContain(
      `; it captures again at ${clock(received + 300_600)}.`,
    );
  });
});

describe("an SDK's pauses in the events list", () => {
  const clock = (ms: number) => formatClock(ms).slice(0, 8);
  /** The Node SDK's event of a trip at `at` (its time stamp), received 20 s later at its next poll. */
  const trip = (id: string, at: string, service = "checkout-api") => ({
    id,
    service,
    type: "circuit_breaker_tripped",
    receivedAt: new Date(Date.parse(at) + 20_000).toISOString(),
    data: { failure_count: 3, window_seconds: 60, cooldown_seconds: 300, timestamp: at },
  });

  it("reads a pause its service's SDK followed with another as superseded by it, not running on to its own end", () => {
    // The SDK tripped at 10:00:00; the app restarted (its new process captured) and tripped again at
    // 10:01:00 (the server restarted once more). The first pause's own 5 minutes end at 10:05:00.
    const first = trip("e1", "2026-12-02T10:00:00Z");
    const second = trip("e2", "2026-12-02T10:01:00Z");
    const other = trip("e3", "2026-12-02T10:00:30Z", "users-api");
    const listed = [second, other, first];
    const later = laterPauseStarts(listed);
    expect([...later]).toEqual([["e1", Date.parse("2026-12-02T10:01:00Z")]]);
    const now = Date.parse("2026-12-02T10:02:00Z");
    const kept = { since: Date.parse("2026-12-02T10:01:00Z"), until: Date.parse("2026-12-02T10:06:00Z") };
    const pauses = { "checkout-api": { ...kept, failures: 3, windowSeconds: 60 } };
    const line = (event: typeof first) => describeSdkEvent(event, now, pauses, later.get(event.id));
    expect(line(first)).toBe(
      `checkout-api: the SDK paused snapshot capture after 3 captures it could not send within 1m (this server could not be reached or failed, or the SDK could not serialize the variables, such as an object that refers to itself: see the app's console); superseded by the pause that began at ${clock(kept.since)} (the app restarted, or another instance of it paused).`,
    );
    expect(line(second)).toContain(`; it captures again at ${clock(kept.until)}.`);
    expect(describeSdkEvent(other, now, pauses, later.get(other.id))).toContain("; it captures again at");
    // A pause over by its own end before the next began reads as before.
    const long = trip("e4", "2026-12-02T10:10:00Z");
    const after = laterPauseStarts([long, first]);
    expect(describeSdkEvent(first, Date.parse("2026-12-02T10:11:00Z"), undefined, after.get("e1"))).toContain(
      `; the pause ended at ${clock(Date.parse("2026-12-02T10:05:00Z"))}.`,
    );
  });

  it("takes as later only a pause that began later, whatever order the events arrived in", () => {
    // The older trip's event arrived last (another instance polled later): the newer pause is not over by it.
    const newer = trip("e1", "2026-12-02T10:01:00Z");
    const olderLate = { ...trip("e2", "2026-12-02T10:00:00Z"), receivedAt: "2026-12-02T10:01:30Z" };
    const later = laterPauseStarts([olderLate, newer]);
    expect([...later]).toEqual([["e2", Date.parse("2026-12-02T10:01:00Z")]]);
  });

  it("reads two instances tripping a second apart as one outage: the older pause runs to its own end", () => {
    const older = trip("e1", "2026-12-02T10:00:00Z");
    const newer = trip("e2", "2026-12-02T10:00:01Z");
    const later = laterPauseStarts([newer, older]);
    expect([...later]).toEqual([]);
    expect(describeSdkEvent(older, Date.parse("2026-12-02T10:02:00Z"), undefined, later.get("e1"))).toContain(
      `; it captures again at ${clock(Date.parse("2026-12-02T10:05:00Z"))}.`,
    );
  });
});

describe("request context and payload limits", () => {
  it("finds the request line in either SDK's fields", () => {
    expect(requestSummary({ method: "POST", path: "/checkout", url: "/checkout?step=2" })).toEqual({
      method: "POST",
      target: "/checkout?step=2",
    });
    expect(requestSummary({ method: "GET", path: "/" })).toEqual({ method: "GET", target: "/" });
    expect(requestSummary({ headers: {} })).toBeNull();
    expect(requestSummary(null)).toBeNull();
    expect(requestSummary("GET /")).toBeNull();
  });

  it("recognises the Node SDK's payload-limit marker", () => {
    expect(truncatedPayload({ _truncated: true, _payload_size: 90000, _max_payload: 65536 })).toEqual({
      size: 90000,
      max: 65536,
    });
    expect(truncatedPayload({ cart: {} })).toBeNull();
  });
});

describe("a capture's trace in the list", () => {
  it("says a trace not stored yet is on its way while its spans may still come, then that it is not here", () => {
    const at = Date.parse("2026-12-02T10:00:00Z");
    expect(missingTraceText("ab12", at, at + 5_000)).toEqual({
      text: "trace on its way",
      title: "Trace ab12 has not arrived yet: the SDK sends its spans a few seconds after the capture",
    });
    expect(missingTraceText("ab12", at, at + 60_000).text).toBe("trace not here");
    expect(missingTraceText("ab12", at, at + 60_000).title).toContain("Trace ab12 is not stored here");
  });
});

describe("code monitoring set-up", () => {
  it("promises no capture rate the SDKs or this server do not keep; the limit and expiry bound captures", () => {
    expect(CAPTURE_NOTE).not.toMatch(/once a second|per second/);
    expect(CAPTURE_NOTE).toContain("captures every time its code runs");
    expect(CAPTURE_NOTE).toContain("until it reaches its limit or expires");
  });

  const ORIGIN = "http://localhost:4000";
  /** The address TraceKit SDKs in development mode look at by themselves. */
  const SDK_ORIGIN = "http://localhost:9999";
  const setupsAt = (origin: string) =>
    new Map<string, MonitoringSetup>(codeMonitoringSnippets(origin).map((s) => [s.id, s]));
  const setups = setupsAt(ORIGIN);
  const code = (id: string) =>
    setups
      .get(id)!
      .steps.map((s) => s.code)
      .join("\n");
  /** `NAME=value` words at the start of the last step, the command that starts the app. */
  const runEnv = (id: string, origin = ORIGIN) =>
    Object.fromEntries(
      setupsAt(origin)
        .get(id)!
        .steps.at(-1)!
        .code.replace(/\\\n/g, " ")
        .split(/\s+/)
        .filter((word) => /^[A-Z_]+=/.test(word))
        .map((word) => [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]),
    );

  it("uses this instance's address and the SDKs' own option names and calls", () => {
    expect(code("python")).toContain("enable_code_monitoring=True");
    expect(code("python")).toContain('client.capture_snapshot("checkout"');
    expect(code("python")).toContain('api_key=os.getenv("TRACEKIT_API_KEY"');
    expect(code("python")).toContain("init_flask_app(app, client)");
    expect(code("node")).toContain("enableCodeMonitoring: true");
    expect(code("node")).toContain("client.captureSnapshot('checkout'");
    expect(code("node")).toContain("apiKey: process.env.TRACEKIT_API_KEY");
    expect(code("node")).toContain(`'${ORIGIN}'`);
    // Express is loaded after init, and the middleware has an app to go on.
    expect(code("node").indexOf("tracekit.init(")).toBeLessThan(code("node").indexOf("require('express')"));
    expect(code("node")).toContain("const app = express();");
  });

  it("runs each SDK in its own development mode on localhost:9999, with the endpoint and an API key", () => {
    expect(runEnv("python", SDK_ORIGIN)).toMatchObject({
      ENV: "development",
      TRACEKIT_ENDPOINT: SDK_ORIGIN,
      TRACEKIT_API_KEY: "local",
    });
    expect(setups.get("python")!.steps.at(-1)!.code).toMatch(/python app\.py$/);
    // The Node SDK reads NODE_ENV only.
    expect(runEnv("node", SDK_ORIGIN)).toMatchObject({
      NODE_ENV: "development",
      TRACEKIT_ENDPOINT: SDK_ORIGIN,
      TRACEKIT_API_KEY: "local",
    });
    expect(runEnv("node", SDK_ORIGIN).ENV).toBeUndefined();
    expect(setups.get("node")!.steps.at(-1)!.code).toMatch(/node app\.js$/);
    for (const setup of [...setups.values(), ...setupsAt(SDK_ORIGIN).values()]) {
      for (const note of setup.notes ?? []) expect(note.split("`").length % 2).toBe(1);
    }
  });

  it("leaves development mode out elsewhere, saying why: it would send every span to localhost:9999 too", () => {
    for (const origin of [ORIGIN, "http://devbox:9999"]) {
      for (const id of ["node", "python"]) {
        const env = runEnv(id, origin);
        expect(env.ENV).toBeUndefined();
        expect(env.NODE_ENV).toBeUndefined();
        expect(env).toMatchObject({ TRACEKIT_ENDPOINT: origin, TRACEKIT_API_KEY: "local" });
        const setup = setupsAt(origin).get(id)!;
        expect(setup.steps.at(-1)!.label).toBe("Run it with this server as its backend");
        expect(setup.notes!.join("\n")).toContain(
          "is left out: in development mode the SDK also sends every span to whatever answers at `http://localhost:9999`, which is not this instance",
        );
      }
    }
  });

  it("opens the tab of the SDK that sent the newest spans, else the reader's last pick, else Node", () => {
    expect(defaultSetupTab(["python", "nodejs"], "node")).toBe("python");
    expect(defaultSetupTab(["go", "nodejs"], "python")).toBe("node");
    expect(defaultSetupTab(["go"], "python")).toBe("python");
    expect(defaultSetupTab([], null)).toBe("node");
    expect(defaultSetupTab([], "cobol")).toBe("node");
  });
});

describe("a snapshot's trace", () => {
  it("may still be on its way for 30 s after the capture (the SDK's exporter runs seconds behind)", () => {
    const at = Date.parse("2026-12-02T12:00:00.000Z");
    expect(spansMayStillArrive(at, at + 2_000)).toBe(true);
    expect(spansMayStillArrive(at, at + 29_000)).toBe(true);
    expect(spansMayStillArrive(at, at + 31_000)).toBe(false);
    expect(spansMayStillArrive(Number.NaN, at)).toBe(false);
  });
});
