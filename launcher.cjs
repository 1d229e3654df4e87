// How webstack runs its TypeScript without a build step (Pulumi.yaml's nodeargs, npm scripts,
// tests): esbuild transpiles each .ts file when it is first required, and the output is cached
// on disk by content, so a run only pays for files that changed. tsc type-checks in CI.
//
// The cache (node_modules/.cache/webstack/ts, one file per source version) saves about 0.2 s a
// run: esbuild's service start and one round trip per file (docs/performance.md).
// WEBSTACK_TS_CACHE=0 turns it off; deleting the folder is always safe.
"use strict";
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const target = `node${process.version.slice(1)}`;
// Bump when the transform options below change, so old cache entries are not reused.
const CACHE_FORMAT = 2;
const esbuildVersion = require("esbuild/package.json").version;
const cacheDir = process.env.WEBSTACK_TS_CACHE === "0" ? undefined : path.join(__dirname, "node_modules", ".cache", "webstack", "ts");
let esbuild;

// Node's source-map handling costs about 0.4 s a run here (Pulumi captures a stack trace for
// every resource): it stays off unless asked for, and only then do the files carry inline maps.
const wanted = process.execArgv.includes("--enable-source-maps") || /--enable-source-maps/.test(process.env.NODE_OPTIONS ?? "");
if (!wanted) process.setSourceMapsEnabled(false);

// Without a map the output depends on the file's name only (esbuild names the exports object after
// it), not its folder: another checkout or a copy of the project (CI, worktrees, the synth-diff's
// checkouts) reuses the same cache entries. A map names the file's path, so it is part of the key.
function transpile(code, filename) {
  esbuild ??= require("esbuild");
  const options = wanted ? { sourcefile: filename, sourcemap: "inline" } : { sourcefile: path.basename(filename) };
  return esbuild.transformSync(code, { loader: "ts", format: "cjs", target, ...options }).code;
}

function cached(code, filename) {
  if (!cacheDir) return transpile(code, filename);
  const named = wanted ? filename : path.basename(filename);
  const key = createHash("sha256").update(`${CACHE_FORMAT}\0${esbuildVersion}\0${target}\0${wanted}\0${named}\0`).update(code).digest("hex");
  const file = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {}
  const out = transpile(code, filename);
  try {
    // Write then rename: parallel runs (vitest, CI jobs) never read half a file.
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, out);
    fs.renameSync(tmp, file);
  } catch {
    // A read-only checkout still runs, just without the cache.
  }
  return out;
}

// Node 22.1+ also caches V8's compiled code (the SDKs' included); Node 20 has no such API.
if (cacheDir) Module.enableCompileCache?.(path.join(cacheDir, "..", "v8"));

Module._extensions[".ts"] = function loadTypeScript(module, filename) {
  module._compile(cached(fs.readFileSync(filename, "utf8"), filename), filename);
};

// Transpiles files into the cache without running them: one esbuild start for all of them, ahead of
// the processes that will load them (the test suite's global setup, before ~100 child processes).
module.exports.warm = function warm(files) {
  if (!cacheDir) return;
  for (const file of files) {
    try {
      cached(fs.readFileSync(file, "utf8"), file);
    } catch {
      // Gone or unreadable: the process that loads it reports that.
    }
  }
};


// Lean SDK start-up; WEBSTACK_LEAN_SDK=0 turns it off (docs/performance.md, "Start-up through cmd/run").
// `require("@pulumi/pulumi")` loads the closure serializer's dependencies (the ~9 MB TypeScript
// parser, npm's arborist) and `cmd/run` loads the OpenTelemetry SDK (used only with --tracing) and
// source-map-support, whose stack-trace hook maps the stack Pulumi captures for every resource and
// promise through the SDK's .js.map files. Together about 0.8 s of CPU a run here. The deferred
// modules load on first use, so a program that does serialize a function still works.
// source-map-support is left out: it never mapped this project's TypeScript (the transpiled code
// lives only in memory), and with --enable-source-maps Node maps both the SDK and the TypeScript.
function leanSdk() {
  let sdk;
  try {
    sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [__dirname] }));
  } catch {
    return; // no SDK next to this launcher
  }
  const resolve = (request) => {
    try {
      return require.resolve(request, { paths: [sdk] });
    } catch {
      return undefined;
    }
  };
  // A module in Node's cache is returned by require() without being loaded.
  const seed = (file, exports) => {
    const m = new Module(file, module);
    m.filename = file;
    m.paths = Module._nodeModulePaths(path.dirname(file));
    m.exports = exports;
    m.loaded = true;
    require.cache[file] = m;
  };
  // Stands in for a module until something reads from it, then loads it and forwards to it.
  const defer = (file, { esModule = false } = {}) => {
    if (!file || require.cache[file]) return; // already loaded: keep the one instance
    let real;
    const load = () => {
      if (real === undefined) {
        delete require.cache[file];
        real = require(file);
      }
      return real;
    };
    seed(
      file,
      new Proxy(
        {},
        {
          // `__importStar(require(x))` keeps an __esModule as it is instead of reading every key now.
          get: (_, key) => (esModule && key === "__esModule" ? true : load()[key]),
          set: (_, key, value) => Reflect.set(load(), key, value),
          has: (_, key) => key in load(),
          ownKeys: () => Reflect.ownKeys(load()),
          getOwnPropertyDescriptor: (_, key) => {
            const d = Reflect.getOwnPropertyDescriptor(load(), key);
            return d && { ...d, configurable: true };
          },
        },
      ),
    );
  };
  const shim = path.join(sdk, "typescript-shim.js");
  if (fs.existsSync(shim)) defer(shim);
  defer(resolve("@npmcli/arborist"), { esModule: true });
  // The Automation API (execa, tmp, …), which `require("@pulumi/pulumi")` loads for `pulumi.automation`,
  // and the code-path walker's fdir: 90 modules fewer a start.
  defer(path.join(sdk, "automation", "index.js"), { esModule: true });
  defer(resolve("fdir"));
  for (const otel of ["resources", "sdk-trace-base", "sdk-trace-node", "exporter-zipkin", "instrumentation", "instrumentation-grpc"]) {
    defer(resolve(`@opentelemetry/${otel}`));
  }
  const register = resolve("source-map-support/register");
  if (register && !require.cache[register]) seed(register, {});
}
if (process.env.WEBSTACK_LEAN_SDK !== "0") leanSdk();
