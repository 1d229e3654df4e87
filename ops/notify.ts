/**
 * `webstack notify <stack> --status success|failure`: posts a deploy's result to the stack's
 * Slack or Discord webhook (webstack:notify, read from the outputs) with the stack, the commit,
 * the URLs and, on failure, what `webstack rollback --json` moved. Without a webhook it sends
 * nothing and says so.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { StackOutputs } from "../components/stack-outputs";
import { notify as post, type Notification, type PostResult } from "../worker/notify";
import type { Ops } from "./context";
import { OpsError } from "./errors";
import { secretOutput } from "./outputs";
import { describeMove, type RollbackReport } from "./rollback";

export interface NotifyOptions {
  status: "success" | "failure";
  commit?: string;
  /** A link to the CI run. */
  runUrl?: string;
  /** `webstack rollback --json` output, when the failure was rolled back. */
  rolledBack?: string;
  message?: string;
}

export function deployNotification(stack: string, o: StackOutputs | undefined, opts: NotifyOptions, rolledBack?: RollbackReport): Notification {
  const who = `${o?.appName ? `${o.appName} ` : ""}${stack}`;
  const commit = opts.commit ? ` ${opts.commit.slice(0, 7)}` : "";
  const lines: string[] = [];
  if (opts.message) lines.push(opts.message);
  for (const [label, url] of [
    ["backend", o?.backendUrl],
    ["frontend", o?.frontendUrl],
    ...Object.entries(o?.branchUrls ?? {}).map(([b, u]) => [`backend ${b}`, u]),
  ] as [string, string | undefined][]) {
    if (url) lines.push(`${label}: ${url}`);
  }
  if (rolledBack) {
    lines.push(rolledBack.moved.length ? "rolled back:" : "nothing was rolled back");
    if (rolledBack.error) lines.push(`rollback: ${rolledBack.error.split("\n").join(" ")}`);
    lines.push(...rolledBack.moved.map((m) => `• ${describeMove(m)}`));
  } else if (opts.status === "failure") lines.push("nothing was rolled back");
  if (opts.runUrl) lines.push(`run: ${opts.runUrl}`);
  return opts.status === "success"
    ? { level: "success", title: `${who}: deploy${commit} succeeded`, lines }
    : { level: "failure", title: `${who}: deploy${commit} failed`, lines };
}

export async function notifyDeploy(ops: Ops, stack: string, o: StackOutputs | undefined, opts: NotifyOptions): Promise<PostResult | undefined> {
  const url = (o ? secretOutput(o, "notifyWebhookUrl") : undefined) ?? ops.env.WEBSTACK_NOTIFY_WEBHOOK_URL;
  if (!url) return undefined;
  let rolledBack: RollbackReport | undefined;
  if (opts.rolledBack) {
    try {
      rolledBack = JSON.parse(readFileSync(resolve(ops.cwd, opts.rolledBack), "utf8")) as RollbackReport;
      if (!Array.isArray(rolledBack.moved)) throw new Error("no 'moved' list");
    } catch (err) {
      throw new OpsError(`--rolled-back ${opts.rolledBack}: not the JSON of webstack rollback --json (${(err as Error).message})`, 2);
    }
  }
  const secrets = [o ? secretOutput(o, "cronSecret") : undefined, o ? secretOutput(o, "databaseOwnerConnection") : undefined];
  return post(url, deployNotification(stack, o, opts, rolledBack), secrets, { sleep: (ms) => ops.clock.sleep(ms), signal: (ms) => ops.clock.timeout(ms) });
}
