#!/usr/bin/env node
// CommonJS (bin/package.json), as the bundle is: an ES module here would start Node's ES module loader,
// ~10 ms of CPU of a start on Node 20 that nothing else needs.
const module_ = require("node:module");

// Node 22.1 and later keep the compiled code of the modules below on disk: later starts skip compiling them.
// (On Node 20 the loader uses the code cache the build wrote.)
module_.enableCompileCache?.();

const { createBundleLoader, ENTRY } = require("./bundle-loader.js");

let cli;
try {
  cli = createBundleLoader().entry();
} catch (error) {
  // A clone that was installed but never built: say how to fix it instead of a module stack trace.
  // (Only the bundle itself: a chunk missing from it is another problem, reported as it is.)
  const missing = error?.code === "ERR_MODULE_NOT_FOUND" || error?.code === "MODULE_NOT_FOUND";
  if (missing && String(error.message).includes(`'${ENTRY}'`)) {
    console.error("tracekit-local is not built yet: run `npm run build` (or `npm start`) in its folder");
    process.exit(1);
  }
  throw error;
}
// A failure is an unhandled rejection: printed, exit 1.
cli.main(process.argv);
