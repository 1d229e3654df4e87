import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** One fresh process: ms to require the SDK, then ms to require the entry on top of it. */
function split(): [number, number] {
  const code =
    `const t=()=>Number(process.hrtime.bigint())/1e6;let a=t();require("@pulumi/pulumi");let b=t();` +
    `require("./dist/components");let c=t();process.stdout.write(JSON.stringify([b-a,c-b]))`;
  return JSON.parse(execFileSync(process.execPath, ["-e", code], { cwd: ROOT, encoding: "utf8" })) as [number, number];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * What `require("webstack")` costs a consumer on top of the Pulumi SDK it loads anyway: the
 * figure behind the entry's eager imports (README, "Use the components in your own stack").
 */
export function benchPackageImport(): Record<string, number> | undefined {
  if (!existsSync(join(ROOT, "dist", "components", "index.js"))) {
    console.log("package import: skipped, run `npm run build` first");
    return undefined;
  }
  split(); // warm the disk cache
  const runs = Array.from({ length: RUNS }, split);
  const sdk = median(runs.map((r) => r[0]));
  const entry = median(runs.map((r) => r[1]));
  // In one process: wall-clock runs of separate processes vary more than the difference.
  console.log(`require("@pulumi/pulumi"):                  median ${sdk.toFixed(0)} ms of ${RUNS}`);
  console.log(`then require("webstack") (dist/components): median ${entry.toFixed(0)} ms more`);
  return { entryMs: entry, sdkMs: sdk };
}
