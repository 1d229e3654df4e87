import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Miniflare } from "miniflare";
import { bundleWorker, COMPATIBILITY_DATE } from "../worker/bundle";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

/** The CronTrigger Worker: esbuild bundle at program time, then workerd start and one scheduled() call. */
export async function benchCronWorker(): Promise<void> {
  let t = process.hrtime.bigint();
  const code = bundleWorker();
  const firstBundle = since(t);

  const server = createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const startups: number[] = [];
  const dispatches: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    t = process.hrtime.bigint();
    const mf = new Miniflare({
      modules: [{ type: "ESModule", path: "index.js", contents: code }],
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { JOBS: { "* * * * *": [{ name: "ping", method: "POST", path: "/ping" }] }, TARGET_URL: url, CRON_SECRET: "x" },
      structuredWorkerdLogs: true,
      handleStructuredLogs: () => {}, // the Worker's per-attempt lines would drown the figures
    });
    await mf.ready;
    startups.push(since(t));
    t = process.hrtime.bigint();
    const worker = (await mf.getWorker()) as unknown as { scheduled(e: { cron: string }): Promise<{ outcome: string }> };
    const { outcome } = await worker.scheduled({ cron: "* * * * *" });
    dispatches.push(since(t));
    await mf.dispose();
    if (outcome !== "ok") throw new Error(`scheduled() outcome ${outcome}`);
  }
  server.close();
  console.log(`bundleWorker (first call in the process; from the bundle cache when unchanged): ${firstBundle.toFixed(1)} ms, ${code.length} bytes`);
  console.log(`Miniflare start (median of ${RUNS}): ${median(startups).toFixed(0)} ms`);
  console.log(`getWorker + scheduled() with one job against loopback (median of ${RUNS}): ${median(dispatches).toFixed(0)} ms`);
}
