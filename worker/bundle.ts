import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { cachedBuild } from "../bundling/cached-build";

/** workerd semantics the Worker is tested with (test/worker runs Miniflare on this date). */
export const COMPATIBILITY_DATE = "2026-04-01";
/** Name of the module that exports the handlers. */
export const MAIN_MODULE = "index.js";

let cached: string | undefined;

/**
 * The Worker as one ES module, built in memory at program time. Deterministic (no timestamps,
 * no source maps, paths relative to the project), so an unchanged source shows no diff.
 */
export function bundleWorker(): string {
  if (cached !== undefined) return cached;
  // Bundle the TypeScript source, also when this file runs compiled from dist/worker/ (tsc's CJS
  // output would not bundle into a module Worker): the package must ship worker/*.ts.
  const entry = [join(__dirname, "index.ts"), join(__dirname, "..", "..", "worker", "index.ts")].find((f) => existsSync(f));
  if (!entry) throw new Error(`CronTrigger: Worker source worker/index.ts not found from ${__dirname}`);
  cached = cachedBuild({
    entryPoints: [entry],
    // Paths in the bundle's comments are relative to this folder, so any checkout or cwd gives the same bytes.
    absWorkingDir: dirname(dirname(entry)),
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    logLevel: "silent",
  });
  return cached;
}
