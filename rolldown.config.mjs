// The CLI and server as one CommonJS chunk, with a chunk per part that is required on first use. Node
// otherwise resolves, reads and compiles about 200 files from dist/ and node_modules on every start
// (`node bench/startup.mjs` measures it). Input is tsc's output, so the bundle runs the same code.
// CommonJS, so that on Node 20 bin/bundle-loader.js can compile the chunks a start loads with V8's code
// cache (vm.Script takes one, an ES module cannot), which the build writes beside them (see below).
import { spawnSync } from "node:child_process";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "rolldown";

const DIST = fileURLToPath(new URL("dist/", import.meta.url));
const OUT_DIR = fileURLToPath(new URL("dist/bundle/", import.meta.url));

/**
 * Every package goes into the bundle (the ones only some commands use into chunks imported on first
 * use), so a global install fetches only what cannot be bundled, not those packages' whole trees:
 * better-sqlite3 is a native addon; open runs the xdg-open script it ships. These stay imports of
 * node_modules, and are the package's only `dependencies` (test/e2e/package.test.ts holds the two
 * lists together).
 */
const EXTERNAL_PACKAGES = new Set(["better-sqlite3", "open"]);

/**
 * @grpc/grpc-js is bundled, but not @grpc/proto-loader: grpc-js requires it only to read its own
 * .proto files for channelz (`addAdminServicesToServer`) and ORCA load reports (client-side
 * weighted round robin, `ServerMetricRecorder`), none of which our OTLP/gRPC server uses. Leaving it
 * out keeps protobufjs, whose postinstall script npm 11 warns about on every global install, out
 * of the package's dependency tree. Should grpc-js ever require it, the require throws this message.
 */
const PROTO_LOADER = "\0grpc-proto-loader-left-out";
const leaveOutProtoLoader = {
  name: "leave-out-proto-loader",
  resolveId(specifier) {
    return specifier === "@grpc/proto-loader" ? PROTO_LOADER : null;
  },
  load(id) {
    if (id !== PROTO_LOADER) return null;
    return `throw new Error("tracekit-local does not include @grpc/proto-loader (gRPC channelz and ORCA are not supported)");\n`;
  },
};

function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
}

function isExternal(specifier) {
  if (specifier.startsWith("node:")) return true;
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("\0")) return false;
  return EXTERNAL_PACKAGES.has(packageName(specifier));
}

/**
 * `import.meta.url` keeps meaning each compiled module's own place in dist/ (version.js finds
 * package.json, web.js finds dist/web, the CLI finds its bin), not the chunk the module ends up in.
 */
const moduleUrls = {
  name: "module-urls",
  transform: {
    filter: { code: "import.meta.url" },
    handler(code, id) {
      if (!id.startsWith(DIST)) return null;
      const fromChunk = relative(OUT_DIR, id).split("\\").join("/");
      return {
        code: code.replaceAll("import.meta.url", `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`),
      };
    },
  },
};

/**
 * Once the chunks are written: V8's code cache of those a start runs before its URL, written beside
 * each (`<chunk>.cache`) by a start of the new bundle (rolldown.code-cache.mjs). Compiling the
 * entry chunk from its source is ~20 ms of a start on Node 20; from its cache, ~3.
 */
const writeCodeCache = {
  name: "write-code-cache",
  writeBundle() {
    const script = fileURLToPath(new URL("rolldown.code-cache.mjs", import.meta.url));
    // A plain Node, as a user's start is: V8 refuses a cache made under other flags (NODE_OPTIONS'
    // --max-old-space-size, say), and the check would then pass only under them.
    const { NODE_OPTIONS, ...env } = process.env;
    const run = spawnSync(process.execPath, [script], { stdio: "inherit", env, timeout: 60_000 });
    if (run.error?.code === "ETIMEDOUT") {
      throw new Error(`${script} did not finish in 60 s: a start of the new bundle did not reach its URL`);
    }
    if (run.status !== 0) throw new Error(`${script} failed (exit ${run.status ?? run.signal})`);
  },
};

const ENTRY = fileURLToPath(new URL("dist/cli/main.js", import.meta.url));
let startModules = null;

/**
 * Everything the entry imports statically goes into one chunk, which every run loads anyway:
 * otherwise the modules it shares with the parts imported on first use become a dozen small
 * chunks, each one more file to resolve and read before the server starts. That chunk is the entry,
 * cli.cjs, itself (`preserveEntrySignatures: "allow-extension"` lets it export what those parts import
 * of it), not a file that only re-exports it.
 */
function startChunk(id, ctx) {
  if (startModules === null) {
    startModules = new Set();
    const queue = [ENTRY];
    while (queue.length > 0) {
      const next = queue.pop();
      if (startModules.has(next)) continue;
      startModules.add(next);
      queue.push(...(ctx.getModuleInfo(next)?.importedIds ?? []));
    }
  }
  return startModules.has(id) ? "start" : null;
}

export default defineConfig([
  {
    input: { cli: "dist/cli/main.js" },
    platform: "node",
    preserveEntrySignatures: "allow-extension",
    external: isExternal,
    // The ES module builds (OpenTelemetry's `module` field), which tree-shaking can cut down: the CommonJS
    // ones would bring every semantic-conventions constant along.
    resolve: { mainFields: ["module", "main"] },
    plugins: [moduleUrls, leaveOutProtoLoader, writeCodeCache],
    output: {
      dir: OUT_DIR,
      format: "cjs",
      // As the ES modules they are built from: strict.
      strict: true,
      entryFileNames: "[name].cjs",
      chunkFileNames: "[name]-[hash].cjs",
      cleanDir: true,
      // V8 keeps and scans a source with any character past Latin-1 (a `…` in a comment) as two-byte text:
      // the chunks are ASCII, without JSDoc comments (licence comments stay). ~2% fewer instructions to the URL.
      charset: "ascii",
      comments: { jsdoc: false, legal: true, annotation: true },
      codeSplitting: { groups: [{ name: startChunk, debugName: "start" }] },
    },
  },
  // The thread `--forward` writes OTLP/JSON bodies as protobuf and gzips batches in: one file with only the
  // encoders, found by forward/forwarder.js at ../forward-worker/ (a thread loading the server's chunks
  // would load them all).
  {
    input: { "forward-worker": "dist/forward/forward-worker.js" },
    platform: "node",
    external: (specifier) => specifier.startsWith("node:"),
    output: { dir: fileURLToPath(new URL("dist/forward-worker/", import.meta.url)), format: "esm", cleanDir: true },
  },
]);
