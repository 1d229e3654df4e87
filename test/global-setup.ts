/**
 * Before the first test file: every TypeScript file of the project goes into the launcher's transpile
 * cache, in one process. On a fresh clone the suite's child processes (cmd/run, provider hosts, synths,
 * scripts) otherwise each start esbuild for the files no other process has cached yet.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");
const SKIP = new Set(["node_modules", "dist"]);

/** The project's own .ts files (no declarations), outside node_modules, dist and dot folders. */
function projectTypeScript(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith(".") || SKIP.has(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return projectTypeScript(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

export default function setup(): void {
  const files = projectTypeScript();
  const warm = spawnSync(process.execPath, ["-e", 'require("./launcher.cjs").warm(JSON.parse(process.argv[1]))', JSON.stringify(files)], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (warm.status !== 0) throw new Error(`warming the launcher's cache failed:\n${warm.stderr}`);
}
