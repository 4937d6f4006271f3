#!/usr/bin/env node
let cli;
try {
  cli = await import("../dist/cli/main.js");
} catch (error) {
  // A clone that was installed but never built: say how to fix it instead of a module stack trace.
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("main.js")) {
    console.error("tracekit-local is not built yet: run `npm run build` (or `npm start`) in its folder");
    process.exit(1);
  }
  throw error;
}
await cli.main(process.argv);
