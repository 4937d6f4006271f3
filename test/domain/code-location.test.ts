import { describe, expect, it } from "vitest";
import { callerOf, isSdkCaptureCall, parseStackLine } from "../../src/domain/code-location.js";
import { NODE_17_SDK_CALL, node17Stack } from "../helpers/tracekit-snapshot-client.js";

const NODE_17_STACK = node17Stack("/app/src/routes/users.js:8:16");

const NODE_17_REGISTERED = {
  filePath: NODE_17_SDK_CALL.file_path,
  functionName: NODE_17_SDK_CALL.function_name,
  lineNumber: NODE_17_SDK_CALL.line_number,
};

describe("stack trace lines", () => {
  it("reads Node's frames, named, anonymous, async and on Windows", () => {
    expect(parseStackLine("    at placeOrder (/app/src/checkout.js:42:7)")).toEqual({
      fn: "placeOrder",
      location: "/app/src/checkout.js:42:7",
      filePath: "/app/src/checkout.js",
      lineNumber: 42,
    });
    expect(parseStackLine("at async /app/src/routes.js:10:3")).toMatchObject({
      fn: null,
      filePath: "/app/src/routes.js",
      lineNumber: 10,
    });
    expect(parseStackLine("at Layer.handle [as handle_request] (C:\\app\\layer.js:95:5)")).toMatchObject({
      fn: "Layer.handle [as handle_request]",
      filePath: "C:\\app\\layer.js",
      lineNumber: 95,
    });
    expect(parseStackLine("at file:///app/src/server.mjs:3:1")).toMatchObject({
      filePath: "file:///app/src/server.mjs",
      lineNumber: 3,
    });
  });

  it("reads the Python SDK's frames, with and without a function", () => {
    expect(parseStackLine("checkout at /srv/app/views.py:88")).toEqual({
      fn: "checkout",
      location: "/srv/app/views.py:88",
      filePath: "/srv/app/views.py",
      lineNumber: 88,
    });
    expect(parseStackLine("/Users/me/My Project/run.py:5")).toMatchObject({
      fn: null,
      filePath: "/Users/me/My Project/run.py",
      lineNumber: 5,
    });
  });

  it("reads no frame from a heading or a line without a line number", () => {
    expect(parseStackLine("Error")).toBeNull();
    expect(parseStackLine("Traceback (most recent call last):")).toBeNull();
    expect(parseStackLine("    at native")).toBeNull();
    expect(parseStackLine("")).toBeNull();
  });
});

describe("the caller of a capture", () => {
  it("is the frame after the SDK's own capture call when the SDK registered that call", () => {
    expect(isSdkCaptureCall(NODE_17_REGISTERED)).toBe(true);
    expect(callerOf(NODE_17_STACK, NODE_17_REGISTERED)).toEqual({
      filePath: "/app/src/routes/users.js",
      functionName: "",
      lineNumber: 8,
    });
    const named = node17Stack("getUser (/app/src/users.js:31:9)");
    expect(callerOf(named, NODE_17_REGISTERED)).toEqual({
      filePath: "/app/src/users.js",
      functionName: "getUser",
      lineNumber: 31,
    });
  });

  it("works for a Python-style capture call too", () => {
    const stack = "capture_snapshot at /venv/tracekit/client.py:210\ncheckout at /srv/app/views.py:88";
    const registered = { filePath: "/venv/tracekit/client.py", functionName: "capture_snapshot", lineNumber: 210 };
    expect(callerOf(stack, registered)).toEqual({
      filePath: "/srv/app/views.py",
      functionName: "checkout",
      lineNumber: 88,
    });
  });

  it("leaves an app's own function named like the capture call alone", () => {
    const own = { filePath: "/srv/app/helpers.py", functionName: "capture_snapshot", lineNumber: 12 };
    expect(isSdkCaptureCall(own)).toBe(false);
    expect(callerOf("capture_snapshot at /srv/app/helpers.py:12\ncheckout at /srv/app/views.py:88", own)).toBeNull();
    expect(isSdkCaptureCall({ filePath: "/app/src/snap.js", functionName: "captureSnapshot" })).toBe(false);
  });

  it("is null when the SDK registered the app's own line, or the stack does not hold the registered call", () => {
    expect(callerOf(NODE_17_STACK, { filePath: "/app/src/routes/users.js", functionName: "", lineNumber: 8 })).toBe(
      null,
    );
    expect(callerOf("checkout at /srv/app/views.py:88", { ...NODE_17_REGISTERED })).toBeNull();
    expect(callerOf(NODE_17_STACK, { ...NODE_17_REGISTERED, lineNumber: 489 })).toBeNull();
    const endsAtTheCall = NODE_17_STACK.split("\n").slice(0, 4).join("\n");
    expect(callerOf(endsAtTheCall, NODE_17_REGISTERED)).toBeNull();
  });
});
