/**
 * `webstack dashboard`: writes the page (or serves it, refreshed on an interval). The data is
 * data.ts, the page html.ts; `--json` prints the same data.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import type { Ops } from "../context";
import { dashboardData, type DashboardData, type DashboardOptions } from "./data";
import { dashboardHtml } from "./html";

export { dashboardData, type DashboardData, type DashboardOptions } from "./data";
export { dashboardHtml } from "./html";

/** At least one stack could be read: the command's exit code depends on nothing else. */
export const anyReadable = (d: DashboardData) => d.stacks.some((s) => !s.error);

/** Writes `<out>/index.html` and returns its path. */
export function writeDashboard(ops: Ops, d: DashboardData, out = "webstack-dashboard"): string {
  const dir = resolve(ops.cwd, out);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "index.html");
  writeFileSync(file, dashboardHtml(d));
  return file;
}

export interface Served {
  url: string;
  /** The data of the page being served. */
  current(): DashboardData;
  /** Reads everything again now (the interval does this by itself). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves the page on 127.0.0.1:`port` (0: any free port): `/` the page, `/data.json` its data.
 * The data is refreshed every `intervalMs`, one refresh at a time, each bounded by the timeout.
 */
export async function serveDashboard(ops: Ops, opts: DashboardOptions & { port: number; intervalMs?: number }): Promise<Served> {
  const interval = opts.intervalMs ?? 30_000;
  let data = await dashboardData(ops, opts);
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const read = async () => {
    try {
      data = await dashboardData(ops, opts);
    } catch (err) {
      ops.err(`dashboard refresh failed: ${(err as Error).message}`);
    }
  };
  // One refresh at a time: the next starts `interval` after the last one ended.
  const loop = async () => {
    await read();
    if (!closed) timer = setTimeout(() => void loop(), interval);
  };
  timer = setTimeout(() => void loop(), interval);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "GET") return void res.writeHead(405, { allow: "GET" }).end();
    if (path === "/") {
      return void res
        .writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
        .end(dashboardHtml(data, { refreshSeconds: Math.max(5, Math.round(interval / 1000)) }));
    }
    if (path === "/data.json") return void res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(data, null, 2));
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
  // Local only: the page names services, URLs and costs.
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(opts.port, "127.0.0.1", ok);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    current: () => data,
    refresh: read,
    close: async () => {
      closed = true;
      clearTimeout(timer);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
