import { describe, expect, it } from "vitest";
import { internalErrorAnswer, PROGRAM_CHANGED_MESSAGE } from "../../src/domain/errors.js";

describe("internalErrorAnswer", () => {
  it("answers a module gone from disk 503 restart_needed, and any other error 500 internal", () => {
    const gone = Object.assign(new Error("Cannot find module 'server-x.js'"), { code: "ERR_MODULE_NOT_FOUND" });
    expect(internalErrorAnswer(gone)).toEqual({
      status: 503,
      code: "restart_needed",
      message: PROGRAM_CHANGED_MESSAGE,
    });
    const required = Object.assign(new Error("Cannot find module './server-x.cjs'"), { code: "MODULE_NOT_FOUND" });
    expect(internalErrorAnswer(required).code).toBe("restart_needed");
    expect(internalErrorAnswer(new TypeError("x is undefined"))).toEqual({
      status: 500,
      code: "internal",
      message: "internal error; see the tracekit-local terminal",
    });
    expect(internalErrorAnswer(null).status).toBe(500);
  });
});
