import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { prepareStack } from "../synth/prepare";
import { readStackFile } from "../synth/stack-file";
import { runProgram } from "../test/engine/program-host";

const ROOT = join(__dirname, "..");
// Nine runs: start-up on a shared 2-core machine varies by 10-20 % run to run.
const RUNS = Number(process.env.BENCH_RUNS ?? 9);

function wallMs(args: string[], env: Record<string, string> = {}): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, ...env } });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Start-to-graph of the prod stack (process start until every resource is registered) with the
 * launcher Pulumi.yaml declares, two ways: in-process under mocks (the offline synth), and through
 * the SDK's cmd/run as `pulumi preview` starts it, against a recording engine. Both as ratios over
 * a bare node that only loads the SDKs.
 */
export async function benchStartToGraph(): Promise<Record<string, number>> {
  const project = YAML.parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8"));
  const nodeargs: string[] = String(project.runtime?.options?.nodeargs ?? "").split(/\s+/).filter(Boolean);
  const sdks = ["@pulumi/pulumi", "@pulumi/cloudflare", "@pulumiverse/vercel", "@pulumi/postgresql", "@pulumi/random"];
  const bare = ["-e", sdks.map((p) => `require(${JSON.stringify(p)});`).join("")];
  const program = [...nodeargs, "synth/cli.ts", "prod", "--format", "json", "--out", "/dev/null"];
  const full = { WEBSTACK_LEAN_SDK: "0" };
  const prepared = prepareStack(readStackFile(ROOT, "prod"));
  if (!prepared.ok) throw new Error(prepared.errors.join("\n"));
  const preview = async (env: Record<string, string> = {}) => {
    const run = await runProgram({ file: prepared.stackFile, dryRun: true, env });
    if (run.code !== 0) throw new Error(`cmd/run exited ${run.code}: ${run.stderr}`);
    return run.ms;
  };

  // The launcher's transpile cache and the bundle cache (node_modules/.cache/webstack): a fresh
  // checkout pays for them once; every later run reads them.
  const cache = join(ROOT, "node_modules", ".cache", "webstack");
  const coldRuns: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    rmSync(cache, { recursive: true, force: true });
    coldRuns.push(wallMs(program));
  }
  wallMs(bare); // warm the disk cache for all of them
  wallMs(program);
  await preview();
  await preview(full);
  const runs = {
    bare: [] as number[],
    leanBare: [] as number[],
    program: [] as number[],
    programFull: [] as number[],
    cmdRun: [] as number[],
    cmdRunFull: [] as number[],
  };
  // Interleaved, so a busy spell on the machine hits every figure alike.
  for (let i = 0; i < RUNS; i++) {
    runs.bare.push(wallMs(bare));
    runs.leanBare.push(wallMs([...nodeargs, ...bare]));
    runs.program.push(wallMs(program));
    runs.programFull.push(wallMs(program, full));
    runs.cmdRun.push(await preview());
    runs.cmdRunFull.push(await preview(full));
  }
  const serializeRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    serializeRuns.push(Number(execFileSync(process.execPath, [...nodeargs, "bench/provider-bundles.ts"], { cwd: ROOT }).toString()));
  }
  const b = median(runs.bare);
  const lb = median(runs.leanBare);
  const p = median(runs.program);
  const pf = median(runs.programFull);
  const r = median(runs.cmdRun);
  const rf = median(runs.cmdRunFull);
  const s = median(serializeRuns);
  const c = median(coldRuns);
  const args = nodeargs.join(" ") || "plain node";
  const line = (label: string, ms: number, n: number) => console.log(`${label.padEnd(72)} median ${ms.toFixed(0)} ms of ${n}`);
  line(`start-to-graph (prod, ${args}), in-process under mocks:`, p, RUNS);
  line("  the same with WEBSTACK_LEAN_SDK=0:", pf, RUNS);
  line("  the first run of a fresh checkout (empty caches):", c, coldRuns.length);
  line("start-to-graph through cmd/run (prod preview, recording engine):", r, RUNS);
  line("  the same with WEBSTACK_LEAN_SDK=0:", rf, RUNS);
  line("bare node + SDK requires:", b, RUNS);
  line("  the same under the launcher (closure serializer's modules deferred):", lb, RUNS);
  console.log(
    `ratios over the bare SDK require (target <= 1.5): in-process ${(p / b).toFixed(2)} (${(pf / b).toFixed(2)} with WEBSTACK_LEAN_SDK=0),` +
      ` through cmd/run ${(r / b).toFixed(2)} (${(rf / b).toFixed(2)}); first run of a checkout ${(c / b).toFixed(2)}`,
  );
  console.log(`of which the Render providers' __provider bundles (from the bundle cache): ${s.toFixed(0)} ms`);
  return { programMs: p, programFullMs: pf, cmdRunMs: r, cmdRunFullMs: rf, coldMs: c, bareMs: b, leanBareMs: lb, ratio: p / b, cmdRunRatio: r / b, serializeMs: s };
}
