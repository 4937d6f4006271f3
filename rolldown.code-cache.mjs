// Run by the build once rolldown has written dist/bundle/ (rolldown.config.mjs): starts the new bundle
// as `tracekit-local --port 0 --no-open` does, up to its URL, and writes V8's code cache of each chunk
// it ran beside it (`<chunk>.cache`), for bin/bundle-loader.js on Node 20. Made after the run, a cache
// holds the functions the start compiled, not only the chunk's top level. Then checks, in a new
// process, that V8 takes each cache; it fails the build otherwise (a cache V8 refuses saves nothing).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { COMPILES_WITH_CODE_CACHE, createBundleLoader, encodeCodeCache } from "./bin/bundle-loader.js";

const check = process.argv[2] === "--check";
if (!COMPILES_WITH_CODE_CACHE) {
  // Node 22.1 and later keep their own compile cache, and no other Node takes this one.
  if (!check) console.log(`code cache: not written (Node ${process.version} does not use it)`);
  process.exit(0);
}
const loader = createBundleLoader({ useCache: check });
// Away from any ./tracekit-local.json, which a start reads.
const dir = mkdtempSync(join(tmpdir(), "tracekit-local-code-cache-"));
// On exit: a start that fails (its config, its port) ends the process itself.
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
process.chdir(dir);
const print = console.log;
console.log = () => {};
try {
  await loader.entry().main([process.execPath, "tracekit-local", "--port", "0", "--no-open"]);
} finally {
  console.log = print;
}
const chunks = loader.loaded();
if (check) {
  const refused = chunks.filter((chunk) => chunk.cacheTaken !== true).map((chunk) => chunk.file);
  if (refused.length > 0) {
    console.error(`code cache: V8 did not take the cache of ${refused.join(", ")}`);
    process.exit(1);
  }
  process.exit(0);
}
// On Node 20, `import()` in code compiled from a code cache fails (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING:
// V8 does not give the deserialized code the options that name vm's loader).
const importing = chunks.filter((chunk) => /\bimport\(/.test(chunk.source.toString("latin1")));
if (importing.length > 0) {
  console.error(
    `code cache: ${importing.map((chunk) => chunk.file).join(", ")} calls import(), which fails in code compiled from a code cache on Node 20: import that package from a chunk loaded on first use (as cli/browser.ts is)`,
  );
  process.exit(1);
}
// V8 takes a cache only under the flags it was made with: undo those the start set (heap-compaction.ts).
setFlagsFromString("--allocation-site-pretenuring");
let bytes = 0;
for (const { file, source, script } of chunks) {
  const cache = encodeCodeCache(source, script.createCachedData());
  writeFileSync(`${file}.cache`, cache);
  bytes += cache.byteLength;
}
// Under a plain Node, as a user's start (and this writer: see rolldown.config.mjs).
const { NODE_OPTIONS, ...env } = process.env;
const checked = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--check"], { stdio: "inherit", env });
if (checked.status !== 0) process.exit(1);
print(`code cache: ${chunks.length} chunks, ${(bytes / 1024).toFixed(0)} kB`);
process.exit(0);
