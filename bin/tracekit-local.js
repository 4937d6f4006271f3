#!/usr/bin/env node
import module from "node:module";
import { fileURLToPath } from "node:url";

// Node 22.1 and later keep the compiled code of the modules below on disk: later starts skip compiling them.
module.enableCompileCache?.();

const bundle = new URL("../dist/bundle/cli.js", import.meta.url);
let cli;
try {
  cli = await import(bundle.href);
} catch (error) {
  // A clone that was installed but never built: say how to fix it instead of a module stack trace.
  // (Only the bundle itself: a chunk missing from it is another problem, reported as it is.)
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes(`'${fileURLToPath(bundle)}'`)) {
    console.error("tracekit-local is not built yet: run `npm run build` (or `npm start`) in its folder");
    process.exit(1);
  }
  throw error;
}
await cli.main(process.argv);
