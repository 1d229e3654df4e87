import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";

const ROOT = join(__dirname, "..");
// Nine runs: start-up on a shared 2-core machine varies by 10-20 % run to run.
const RUNS = Number(process.env.BENCH_RUNS ?? 9);

function wallMs(args: string[]): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Start-to-graph of the prod stack (process start until every resource is registered under
 * mocks) with the launcher Pulumi.yaml declares, against a bare node that only loads the SDKs.
 */
export function benchStartToGraph(): Record<string, number> {
  const project = YAML.parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8"));
  const nodeargs: string[] = String(project.runtime?.options?.nodeargs ?? "").split(/\s+/).filter(Boolean);
  const sdks = ["@pulumi/pulumi", "@pulumi/cloudflare", "@pulumiverse/vercel", "@pulumi/postgresql", "@pulumi/random"];
  const bare = ["-e", sdks.map((p) => `require(${JSON.stringify(p)});`).join("")];
  const program = [...nodeargs, "synth/cli.ts", "prod", "--format", "json", "--out", "/dev/null"];

  // The launcher's transpile cache and the bundle cache (node_modules/.cache/webstack): a fresh
  // checkout pays for them once; every later run reads them.
  const cache = join(ROOT, "node_modules", ".cache", "webstack");
  const coldRuns: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    rmSync(cache, { recursive: true, force: true });
    coldRuns.push(wallMs(program));
  }
  wallMs(bare); // warm the disk cache for both
  wallMs(program);
  const bareRuns: number[] = [];
  const programRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    bareRuns.push(wallMs(bare));
    programRuns.push(wallMs(program));
  }
  const serializeRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    serializeRuns.push(Number(execFileSync(process.execPath, [...nodeargs, "bench/provider-bundles.ts"], { cwd: ROOT }).toString()));
  }
  const b = median(bareRuns);
  const p = median(programRuns);
  const s = median(serializeRuns);
  const c = median(coldRuns);
  console.log(`start-to-graph (prod, ${nodeargs.join(" ") || "plain node"}): median ${p.toFixed(0)} ms of ${RUNS}`);
  console.log(`  the first run of a fresh checkout (empty caches): median ${c.toFixed(0)} ms of ${coldRuns.length}`);
  console.log(`bare node + SDK requires:                   median ${b.toFixed(0)} ms of ${RUNS}`);
  console.log(`ratio: ${(p / b).toFixed(2)} (target <= 1.5); first run of a checkout: ${(c / b).toFixed(2)}`);
  console.log(`of which the Render providers' __provider bundles (from the bundle cache): ${s.toFixed(0)} ms`);
  return { programMs: p, coldMs: c, bareMs: b, ratio: p / b, serializeMs: s };
}
