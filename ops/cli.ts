/**
 * The `webstack` command: day-2 operations on a deployed stack (docs/operations.md).
 * Exit codes: 0 fine; 1 something is down, failed or was refused; 2 fix the command or the
 * environment (unknown stack, job or flag; a missing credential).
 */
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import type { StackOutputs } from "../components/stack-outputs";
import { backup, backupText, noRecipient } from "./backup";
import { parseDuration, systemClock } from "./clock";
import { startDeadline, type Deadline, type Ops } from "./context";
import { cronRun, cronRunText } from "./cron-run";
import { anyReadable, dashboardData, serveDashboard, writeDashboard } from "./dashboard";
import { OpsError } from "./errors";
import { notifyDeploy } from "./notify";
import { checkStack, loadOutputs, NeverDeployedError } from "./outputs";
import { restore } from "./restore";
import { promote, promoteText, PROMOTE_TIMEOUT_MS } from "./promote";
import { readVerifyReport, rollback, rollbackLanded, RollbackError, rollbackText, ROLLBACK_TIMEOUT_MS } from "./rollback";
import { status, statusExitCode, statusText, STATUS_TIMEOUT_MS } from "./status";
import { verify, verifyReport, VERIFY_TIMEOUT_MS, type VerifyReport } from "./verify";

const VALUE_FLAGS = ["outputs", "timeout", "to", "out", "url", "status", "commit", "run-url", "rolled-back", "message", "report", "only-failing", "identity", "serve"] as const;
const BOOL_FLAGS = ["json", "no-wait", "render-export", "production", "yes", "if-deployed", "if-configured", "no-upload", "help"] as const;

/** Flags each verb takes (besides --outputs and --help). */
const VERBS: Record<string, { args: string; flags: string[]; about: string }> = {
  status: { args: "<stack>", flags: ["json", "timeout"], about: "health, latency and Render's newest deploy of every service; the frontend; pending domains; cron schedules" },
  verify: { args: "<stack>", flags: ["timeout", "report"], about: "wait until every service's newest deploy is live and healthy, and the frontend answers" },
  rollback: { args: "<stack>", flags: ["to", "only-failing", "no-wait", "json", "timeout"], about: "Vercel production, then every service, back to the last release with another commit" },
  promote: { args: "<stack>", flags: ["no-wait", "json", "timeout"], about: "production domains to the newest production build; Vercel's auto-assignment back on" },
  backup: { args: "<stack>", flags: ["out", "render-export", "json", "if-deployed", "if-configured", "no-upload"], about: "pg_dump of the stack's own database, age-encrypted and uploaded to its bucket (and Render's export)" },
  restore: { args: "<stack> <file>", flags: ["production", "yes", "out", "identity"], about: "pg_restore a backup (.dump or .dump.age) into the stack's database, after a fresh backup" },
  "cron run": { args: "<stack> <job>", flags: ["url", "json"], about: "run one cron job now through the deployed Worker" },
  notify: { args: "<stack>", flags: ["status", "commit", "run-url", "rolled-back", "message"], about: "post a deploy's result to the stack's Slack or Discord webhook" },
  dashboard: { args: "[<stack>…]", flags: ["out", "serve", "json", "timeout"], about: "one HTML page of every stack: health, deploys, data stores, cron, cost, how they connect" },
};

export function usage(): string {
  const width = Math.max(...Object.entries(VERBS).map(([v, d]) => `${v} ${d.args}`.length));
  return [
    "usage: webstack <command> … [--outputs FILE]",
    "",
    ...Object.entries(VERBS).map(([v, d]) => `  ${`${v} ${d.args}`.padEnd(width)}  ${d.about}`),
    "",
    "Flags: " + Object.entries(VERBS).map(([v, d]) => (d.flags.length ? `${v}: ${d.flags.map((f) => `--${f}`).join(" ")}` : "")).filter(Boolean).join("; "),
    "--outputs FILE reads the stack's outputs from `pulumi stack output --json --show-secrets` saved to FILE.",
    "See docs/operations.md.",
  ].join("\n");
}

interface Parsed {
  words: string[];
  flags: Record<string, string | true>;
}

export function parseArgs(argv: string[]): Parsed {
  const words: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) {
      words.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if ((VALUE_FLAGS as readonly string[]).includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith("--")) throw new OpsError(`--${name} needs a value`, 2);
      flags[name] = value;
    } else if ((BOOL_FLAGS as readonly string[]).includes(name) && inline === undefined) {
      flags[name] = true;
    } else throw new OpsError(`unknown flag --${name}\n\n${usage()}`, 2);
  }
  return { words, flags };
}

const str = (v: string | true | undefined) => (typeof v === "string" ? v : undefined);

export async function run(argv: string[], ops: Ops): Promise<number> {
  // Once the command has its answer (an error in one part ends it), nothing of it keeps running.
  const done = new AbortController();
  try {
    const { words, flags } = parseArgs(argv);
    if (flags.help || words.length === 0 || words[0] === "help") {
      ops.out(usage());
      return words.length === 0 && !flags.help ? 2 : 0;
    }
    const verb = words[0] === "cron" ? `cron ${words[1] ?? ""}`.trim() : words[0]!;
    const spec = VERBS[verb];
    if (!spec) throw new OpsError(`unknown command '${verb}'; commands: ${Object.keys(VERBS).join(", ")}`, 2);
    const rest = words.slice(verb.split(" ").length);
    for (const f of Object.keys(flags)) {
      if (f !== "outputs" && !spec.flags.includes(f)) {
        throw new OpsError(`${verb} does not take --${f}${spec.flags.length ? `; it takes ${spec.flags.map((x) => `--${x}`).join(", ")}` : ""}`, 2);
      }
    }
    if (verb === "dashboard") return await dashboardCommand(ops, rest, flags);
    const stackArg = rest[0];
    const stack = checkStack(ops.root, stackArg);
    const outputsFile = str(flags.outputs);
    let d: Deadline | undefined;
    const outputs = (): Promise<StackOutputs> => loadOutputs(ops, stackArg!, outputsFile, d?.signal);
    const timeout = str(flags.timeout);
    const timeoutMs = timeout === undefined ? undefined : (() => {
      try {
        return parseDuration(timeout);
      } catch (err) {
        throw new OpsError(`--timeout: ${(err as Error).message}`, 2);
      }
    })();
    if (timeoutMs === 0) throw new OpsError("--timeout: must be more than 0", 2);
    // One deadline for the whole command, API calls included, from the moment it starts.
    const defaults: Record<string, number> = { status: STATUS_TIMEOUT_MS, verify: VERIFY_TIMEOUT_MS, rollback: ROLLBACK_TIMEOUT_MS, promote: PROMOTE_TIMEOUT_MS };
    d = defaults[verb] === undefined ? undefined : startDeadline(ops.clock, timeoutMs ?? defaults[verb]!, done.signal);

    switch (verb) {
      case "status": {
        const o = await outputs();
        const report = await status(ops, stack, o, d!);
        ops.out(flags.json ? JSON.stringify(report, null, 2) : statusText(report, ops.clock.now()));
        // Each API that could not be read, in one line naming it, last on stderr.
        for (const p of report.problems ?? []) ops.err(p.message);
        return statusExitCode(report);
      }
      case "verify": {
        const reportFile = str(flags.report);
        const write = (r: VerifyReport) => reportFile && writeFileSync(resolve(ops.cwd, reportFile), `${JSON.stringify(r, null, 2)}\n`);
        try {
          const o = await outputs();
          const { results, pinned } = await verify(ops, stack, o, d!);
          const failed = results.filter((r) => !r.ok);
          for (const r of results) ops.out(r.ok ? `ok    ${r.name}${r.note ? ` (${r.note})` : ""}` : `FAIL  ${r.failure}`);
          if (pinned) ops.out(`FAIL  ${pinned}`);
          write(verifyReport(stack, results, pinned));
          if (failed.length) ops.err(`verify ${stack}: ${failed.length} of ${results.length} failed`);
          return failed.length || pinned ? 1 : 0;
        } catch (err) {
          // A report even when verify could not finish: rollback --only-failing then refuses, saying why.
          write({ stack, ok: false, failing: [], results: [], error: (err as Error).message });
          throw err;
        }
      }
      case "rollback": {
        try {
          const onlyFailing = str(flags["only-failing"]);
          const only = onlyFailing === undefined ? undefined : readVerifyReport(ops.cwd, onlyFailing, stack);
          const notRollbackable = only?.failingNotRollbackable?.length ? `${only.failingNotRollbackable.join(", ")} failed too, and no rollback fixes a database: see \`webstack status ${stack}\`` : "";
          if (only && only.failing.length === 0) {
            if (notRollbackable && !only.error && !only.productionPinned) {
              throw new OpsError(`rollback of ${stack} refused, nothing was changed: ${onlyFailing} names no part a rollback fixes; ${notRollbackable} (a paused Supabase project is restored from its dashboard)`);
            }
            if (only.ok) {
              ops.out(`verify found nothing failing in ${stack} (${onlyFailing}): nothing rolled back`);
              return 0;
            }
            throw new OpsError(`rollback of ${stack} refused, nothing was changed: ${onlyFailing} names no failing part${only.error ? ` (verify stopped: ${only.error})` : ""}${only.productionPinned ? ` (${only.productionPinned})` : ""}; run \`webstack rollback ${stack}\` to roll back every part`);
          }
          if (notRollbackable) ops.err(`rollback of ${stack}: ${notRollbackable}`);
          const report = await rollback(ops, stack, await outputs(), d!, { to: str(flags.to), wait: !flags["no-wait"], ...(only ? { only: only.failing } : {}) });
          ops.out(flags.json ? JSON.stringify(report, null, 2) : rollbackText(report));
          if (!rollbackLanded(report)) ops.err(`rollback of ${stack}: not every move went live; see above`);
          return rollbackLanded(report) ? 0 : 1;
        } catch (err) {
          if (err instanceof RollbackError && flags.json) ops.out(JSON.stringify(err.report, null, 2));
          throw err;
        }
      }
      case "promote": {
        const r = await promote(ops, stack, await outputs(), d!, { wait: !flags["no-wait"] });
        ops.out(flags.json ? JSON.stringify(r, null, 2) : promoteText(r));
        return r.result === "failed" ? 1 : 0;
      }
      case "backup": {
        let o: StackOutputs;
        try {
          o = await outputs();
        } catch (err) {
          // The first deployment of a stack: nothing exists yet to back up.
          if (!(err instanceof NeverDeployedError && flags["if-deployed"])) throw err;
          ops.out(`${stack} has not been deployed yet: nothing to back up`);
          return 0;
        }
        // The deploy workflow's step: a stack without backups configured is a warning on the run, not a failed deploy.
        const unconfigured = flags["if-configured"] ? noRecipient(stack, o, ops.env) : undefined;
        if (unconfigured) {
          ops.out(ops.env.GITHUB_ACTIONS === "true" ? `::warning title=No backup of ${stack}::${unconfigured}` : `warning: ${unconfigured}`);
          return 0;
        }
        const b = await backup(ops, stack, o, { out: str(flags.out), renderExport: !!flags["render-export"], upload: !flags["no-upload"] });
        ops.out(flags.json ? JSON.stringify(b, null, 2) : backupText(b, ops.cwd));
        return 0;
      }
      case "restore": {
        const file = rest[1];
        if (!file) throw new OpsError(`restore needs a file: webstack restore ${stack} <file>`, 2);
        const r = await restore(ops, stack, await outputs(), file, { production: !!flags.production, yes: !!flags.yes, out: str(flags.out), identity: str(flags.identity) });
        ops.out(`Restored ${r.restored} into ${stack}; the data it replaced is in ${r.safety.file}`);
        return 0;
      }
      case "cron run": {
        const r = await cronRun(ops, stack, await outputs(), rest[1], { url: str(flags.url) });
        ops.out(flags.json ? JSON.stringify(r, null, 2) : cronRunText(r));
        return r.ok ? 0 : 1;
      }
      case "notify": {
        const s = str(flags.status);
        if (s !== "success" && s !== "failure") throw new OpsError("notify needs --status success or --status failure", 2);
        let o: StackOutputs | undefined;
        try {
          o = await outputs();
        } catch (err) {
          // A deploy that failed early may have no outputs; the environment's webhook still gets told.
          if (!ops.env.WEBSTACK_NOTIFY_WEBHOOK_URL) throw err;
          ops.err(`notify: no outputs (${(err as Error).message}); sending without URLs`);
        }
        const sent = await notifyDeploy(ops, stack, o, { status: s, commit: str(flags.commit), runUrl: str(flags["run-url"]), rolledBack: str(flags["rolled-back"]), message: str(flags.message) });
        if (!sent) {
          ops.out(`${stack} has no webhook (webstack:notify), and WEBSTACK_NOTIFY_WEBHOOK_URL is unset: nothing sent`);
          return 0;
        }
        if (!sent.ok) throw new OpsError(`notify: the webhook did not take the message: ${sent.error}`);
        ops.out(`notified (${sent.attempts} attempt${sent.attempts === 1 ? "" : "s"})`);
        return 0;
      }
    }
    return 2;
  } catch (err) {
    if (err instanceof OpsError) {
      ops.err(err.message);
      return err.exitCode;
    }
    ops.err(`webstack: ${(err as Error)?.message ?? String(err)}`);
    if (ops.env.WEBSTACK_DEBUG) ops.err(String((err as Error)?.stack));
    return 1;
  } finally {
    done.abort(new DOMException("the command finished", "AbortError"));
  }
}

/** The dashboard's `--timeout`: it bounds each refresh. */
function timeoutFlag(flags: Parsed["flags"]): number | undefined {
  const timeout = str(flags.timeout);
  if (timeout === undefined) return undefined;
  try {
    return parseDuration(timeout);
  } catch (err) {
    throw new OpsError(`--timeout: ${(err as Error).message}`, 2);
  }
}

/** `webstack dashboard [<stack>…]`: exits 1 only when no stack could be read. */
async function dashboardCommand(ops: Ops, stacks: string[], flags: Parsed["flags"]): Promise<number> {
  for (const s of stacks) checkStack(ops.root, s);
  const opts = { stacks, outputs: str(flags.outputs), timeoutMs: timeoutFlag(flags) };
  const serve = str(flags.serve);
  if (serve !== undefined) {
    const port = Number(serve);
    if (!/^\d+$/.test(serve) || port > 65_535) throw new OpsError(`--serve needs a port number, e.g. --serve 8080 (got '${serve}')`, 2);
    const served = await serveDashboard(ops, { ...opts, port });
    ops.out(`dashboard on ${served.url} (refreshed every 30 s; Ctrl-C stops it)`);
    await new Promise<void>((done) => process.once("SIGINT", () => void served.close().then(done)));
    return 0;
  }
  const data = await dashboardData(ops, opts);
  if (flags.json) ops.out(JSON.stringify(data, null, 2));
  else ops.out(`wrote ${writeDashboard(ops, data, str(flags.out))}`);
  for (const s of data.stacks) if (s.error) ops.err(`${s.stack}: ${s.error}`);
  if (!anyReadable(data)) {
    ops.err("dashboard: no stack could be read");
    return 1;
  }
  return 0;
}

/** The Pulumi project the command runs in: the nearest folder up from `cwd` with a Pulumi.yaml. */
export function projectRoot(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "Pulumi.yaml"))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}

/** The process's own Ops: real clock, stdout/stderr, a prompt only on a terminal. */
export function processOps(): Ops {
  return {
    env: process.env,
    clock: systemClock,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    root: projectRoot(process.cwd()),
    cwd: process.cwd(),
    ask: process.stdin.isTTY
      ? async (question) => {
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return await rl.question(question);
          } finally {
            rl.close();
          }
        }
      : undefined,
  };
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  process.exitCode = await run(argv, processOps());
}

if (require.main === module) void main();
