import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildSync } from "esbuild";

/** Folder whose paths esbuild writes into the bundle's comments: fixed, so any cwd gives the same bytes. */
const ROOT = resolve(__dirname, "..");

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
  // From the compiled package (dist/) only index.js exists next to this file.
  const entry = ["index.ts", "index.js"].map((f) => join(__dirname, f)).find((f) => existsSync(f));
  if (!entry) throw new Error(`CronTrigger: Worker source not found in ${__dirname}`);
  const result = buildSync({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    logLevel: "silent",
  });
  if (result.outputFiles.length !== 1) throw new Error(`CronTrigger: expected one bundle, got ${result.outputFiles.length}`);
  cached = result.outputFiles[0]!.text;
  return cached;
}
