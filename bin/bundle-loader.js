// Loads the bundle (dist/bundle/, CommonJS chunks) on Node 20 with V8's code cache of the chunks a
// start runs before its URL, which the build writes beside each of them (`<chunk>.cache`): compiling
// the entry chunk is otherwise the largest part of a start's own time there. Node 22.1 and later keep
// their own compile cache (see the bin), and there the chunks are plain `require`s. A cache that is
// missing, unreadable, from another build or another V8, or damaged is not used: the chunk is compiled
// from its source, as without one. Nothing here writes to disk (a global install is read-only).
const { readFileSync } = require("node:fs");
const { createRequire, enableCompileCache } = require("node:module");
const { dirname, join, relative, sep } = require("node:path");
const vm = require("node:vm");
const zlib = require("node:zlib");

const PACKAGE_ROOT = join(__dirname, "..");
const ENTRY = join(PACKAGE_ROOT, "dist", "bundle", "cli.cjs");

/**
 * The name a chunk compiled with a code cache has in stack traces, the same in every install: V8
 * stores the name a script was compiled under in its code cache and keeps that one when it takes the
 * cache, whatever name it is given then (so the builder's folder would be in the package and in each
 * user's stacks). A chunk compiled without one keeps its own path, which its `import()` resolves from.
 */
function cachedChunkName(file) {
  // Joined into a string of its own: a part of `file` cut out (`relative`) would bring `file` with it.
  return ["@tracekit/local-ui", ...relative(PACKAGE_ROOT, file).split(sep)].join("/");
}

/** The cache file's first line: this tag, the CRC-32 of the chunk it was made from and of V8's data after it. */
const CACHE_TAG = "tracekit-local-code-cache-1";

/**
 * Whether chunks are compiled here (with their code cache) rather than by Node's `require`: on a Node 20
 * that has vm's main-context loader (for the chunks' `import()`) and zlib's CRC-32 (to check a cache),
 * not where Node keeps its own compile cache (22.1 and later).
 */
const COMPILES_WITH_CODE_CACHE =
  typeof vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER === "symbol" &&
  typeof zlib.crc32 === "function" &&
  typeof enableCompileCache !== "function";

/** A chunk's cache file: the tag line, then V8's code cache of the chunk's wrapped source. */
function encodeCodeCache(source, data) {
  return Buffer.concat([Buffer.from(`${CACHE_TAG} ${zlib.crc32(source)} ${zlib.crc32(data)}\n`), data]);
}

/** V8's code cache in `file` when it was made from `source` and is whole; undefined otherwise. */
function readCodeCache(file, source) {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const end = bytes.indexOf(10);
  if (end === -1 || end > 100) return undefined;
  const [tag, sourceCrc, dataCrc] = bytes.toString("latin1", 0, end).split(" ");
  const data = bytes.subarray(end + 1);
  if (tag !== CACHE_TAG || Number(sourceCrc) !== zlib.crc32(source) || Number(dataCrc) !== zlib.crc32(data)) {
    return undefined;
  }
  return data;
}

/**
 * Node 20 warns once, on the first `import()` in code compiled with vm's main-context loader, that
 * the loader is experimental (the chunks import better-sqlite3 and open that way): a warning about how
 * this program loads itself, which says nothing to its user. That one warning is not printed.
 */
function quietMainContextLoaderWarning() {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (warning, ...rest) {
    // emitWarning(message, type) or (message, { type }), or an Error whose name is the type.
    const type = typeof warning === "string" ? (typeof rest[0] === "string" ? rest[0] : rest[0]?.type) : warning?.name;
    const message = String(warning?.message ?? warning);
    if (type === "ExperimentalWarning" && message.startsWith("vm.USE_MAIN_CONTEXT_DEFAULT_LOADER ")) return;
    return emitWarning.call(this, warning, ...rest);
  };
}

/** The error Node gives for a module that is not there, which tells a program changed on disk. */
function moduleNotFound(file, cause) {
  const error = new Error(`Cannot find module '${file}'`, { cause });
  error.code = "ERR_MODULE_NOT_FOUND";
  return error;
}

/**
 * A loader of the bundle's chunks. `useCache`: false compiles every chunk from its source (the build,
 * which writes the caches from `loaded()`).
 */
function createBundleLoader({ useCache = true } = {}) {
  const nodeRequire = createRequire(ENTRY);
  /**
   * file → its module while and after it runs, and its script and (for the build, which writes the
   * caches: not kept for a start's whole life otherwise) source.
   */
  const chunks = new Map();

  function load(file) {
    const known = chunks.get(file);
    if (known !== undefined) return known.module.exports;
    let source;
    try {
      source = readFileSync(file);
    } catch (error) {
      throw error?.code === "ENOENT" ? moduleNotFound(file, error) : error;
    }
    const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source.toString("utf8")}\n});`;
    // The build compiles every chunk it loads for a cache.
    const cachedData = useCache ? readCodeCache(`${file}.cache`, source) : undefined;
    const script = new vm.Script(wrapped, {
      filename: cachedData !== undefined || !useCache ? cachedChunkName(file) : file,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    const chunk = { exports: {} };
    // Known before it runs: chunks that require each other get its exports so far, as with `require`.
    chunks.set(file, { module: chunk, source: useCache ? undefined : source, script });
    const dir = dirname(file);
    const requireFromChunk = (specifier) =>
      specifier.startsWith("./") ? load(join(dir, specifier)) : nodeRequire(specifier);
    try {
      script.runInThisContext().call(chunk.exports, chunk.exports, requireFromChunk, chunk, file, dir);
    } catch (error) {
      chunks.delete(file);
      throw error;
    }
    return chunk.exports;
  }

  return {
    /** The entry chunk's exports (`main`). */
    entry() {
      if (!COMPILES_WITH_CODE_CACHE) return nodeRequire(ENTRY);
      quietMainContextLoaderWarning();
      return load(ENTRY);
    },
    /**
     * The chunks loaded so far: their script and, without `useCache`, source (the build writes their code
     * cache from them), and whether V8 took the code cache given (undefined: none given).
     */
    loaded() {
      return [...chunks].map(([file, { source, script }]) => ({
        file,
        source,
        script,
        cacheTaken: script.cachedDataRejected === undefined ? undefined : !script.cachedDataRejected,
      }));
    },
  };
}

module.exports = { ENTRY, COMPILES_WITH_CODE_CACHE, encodeCodeCache, createBundleLoader };
