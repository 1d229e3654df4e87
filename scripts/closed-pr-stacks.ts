import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import YAML from "yaml";
import { githubGet } from "./github-api";
import { runMain, stepIO, stepMain } from "./workflow-commands";

/** A `pr-<n>` stack of this project, from `pulumi stack ls --json`. */
export interface PrStack {
  pr: number;
  /** The name as the CLI printed it. */
  stack: string;
  /** An update is running on it now. */
  busy: boolean;
}

/**
 * This project's `pr-<n>` stacks in `pulumi stack ls --json` output. The CLI prints a name short
 * (`pr-12`) or qualified (`acme/webstack/pr-12`, older CLIs `acme/pr-12`) depending on the
 * backend and the current org, so every form is read; another project's stacks are left out.
 */
export function prStacksOf(list: unknown, project: string): PrStack[] {
  if (!Array.isArray(list)) throw new Error("expected the JSON array 'pulumi stack ls --json' prints");
  const out: PrStack[] = [];
  for (const entry of list as unknown[]) {
    const name = (entry as { name?: unknown } | null)?.name;
    if (typeof name !== "string") throw new Error(`a 'pulumi stack ls' entry has no name: ${JSON.stringify(entry)}`);
    const parts = name.split("/");
    if (parts.length > 3 || (parts.length === 3 && parts[1] !== project)) continue;
    const m = /^pr-([1-9]\d*)$/.exec(parts[parts.length - 1]!);
    if (!m) continue;
    out.push({ pr: Number(m[1]), stack: name, busy: (entry as { updateInProgress?: unknown }).updateInProgress === true });
  }
  return out.sort((a, b) => a.pr - b.pr);
}

/** GitHub's answer to `GET /repos/{owner}/{repo}/pulls/{n}`: status 0 when no answer came. */
export interface PullAnswer {
  status: number;
  body: unknown;
}

export type Verdict = PrStack & { action: "destroy" | "keep" | "error"; reason: string };

/**
 * What to do with one PR stack, given GitHub's answer about its pull request. Only a pull request
 * GitHub reports closed is destroyed; every answer that is not a clear "open" or "closed"
 * (404, rate limit, bad token, outage) is an error that fails the run, never a destroy.
 */
export function judge(stack: PrStack, answer: PullAnswer): Verdict {
  const body = (answer.body ?? {}) as { state?: unknown; number?: unknown; merged_at?: unknown; closed_at?: unknown; message?: unknown };
  const verdict = (action: Verdict["action"], reason: string): Verdict => ({ ...stack, action, reason });
  if (answer.status === 200) {
    if (body.number !== stack.pr) return verdict("error", `GitHub answered for #${String(body.number)} when asked about #${stack.pr}`);
    if (body.state === "open") return verdict("keep", `pull request #${stack.pr} is open`);
    if (body.state === "closed") {
      if (stack.busy) return verdict("keep", `pull request #${stack.pr} is closed, but an update is running on ${stack.stack}; the next run destroys it`);
      const when = typeof body.merged_at === "string" ? `merged ${body.merged_at}` : `closed ${String(body.closed_at)}`;
      return verdict("destroy", `pull request #${stack.pr} was ${when}`);
    }
    return verdict("error", `pull request #${stack.pr} has the unknown state '${String(body.state)}'`);
  }
  const message = typeof body.message === "string" ? `: ${body.message}` : "";
  if (answer.status === 404 || answer.status === 410) {
    return verdict("error", `GitHub has no pull request #${stack.pr} (${answer.status}${message}); ${stack.stack} is not one of this repository's PR stacks, so it is left alone: destroy it by hand if it is an orphan`);
  }
  if (answer.status === 0) return verdict("error", `no answer from GitHub about #${stack.pr}${message}`);
  return verdict("error", `GitHub answered ${answer.status} about #${stack.pr}${message}`);
}

export type AskGitHub = (pr: number) => Promise<PullAnswer>;

/** Asks GitHub about every PR stack's pull request, one at a time (a handful of stacks, no rate-limit bursts). */
export async function reapVerdicts(stacks: PrStack[], ask: AskGitHub): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (const s of stacks) verdicts.push(judge(s, await ask(s.pr)));
  return verdicts;
}

/** `GET /repos/{repo}/pulls/{n}` with the runner's token; a network error becomes status 0. */
export function githubPulls(opts: { apiUrl: string; repo: string; token: string; fetchFn?: typeof fetch }): AskGitHub {
  const get = githubGet(opts);
  return (pr) => get(`/repos/${opts.repo}/pulls/${pr}`);
}

/** The summary table of one reaper run. */
export function verdictTable(verdicts: Verdict[]): string {
  if (verdicts.length === 0) return "No `pr-<n>` stacks exist.\n";
  const rows = verdicts.map((v) => `| \`${v.stack}\` | ${v.action} | ${v.reason.replace(/\|/g, "\\|")} |`);
  return ["| Stack | Action | Why |", "| --- | --- | --- |", ...rows].join("\n") + "\n";
}

/**
 * `closed-pr-stacks.ts <stack-ls.json>` (the output of `pulumi stack ls --json`, run in this
 * project) sets the step output `prs`, a JSON array of the PR numbers whose stacks to destroy,
 * writes the reasons to the job summary, and fails after that when any answer was unclear.
 * Reads GITHUB_REPOSITORY, GITHUB_TOKEN and GITHUB_API_URL as the runner sets them.
 */
export const main = stepMain(async (argv, script) => {
  if (argv.length !== 1) throw new Error("usage: closed-pr-stacks.ts <stack-ls.json>");
  const { GITHUB_REPOSITORY: repo, GITHUB_TOKEN: token, GITHUB_API_URL: apiUrl = "https://api.github.com" } = script.env;
  if (!repo || !token) throw new Error("GITHUB_REPOSITORY and GITHUB_TOKEN must be set");
  const project = (YAML.parse(readFileSync(join(resolve(__dirname, ".."), "Pulumi.yaml"), "utf8")) as { name: string }).name;
  const stacks = prStacksOf(JSON.parse(readFileSync(argv[0]!, "utf8")), project);
  const verdicts = await reapVerdicts(stacks, githubPulls({ apiUrl, repo, token }));
  const io = stepIO(script.env, script.stdout);
  io.output("prs", JSON.stringify(verdicts.filter((v) => v.action === "destroy").map((v) => v.pr)));
  io.summary(`## PR stacks\n\n${verdictTable(verdicts)}`);
  const errors = verdicts.filter((v) => v.action === "error");
  for (const v of verdicts) if (v.action === "destroy") io.annotate("notice", `${v.stack}: ${v.reason}; destroying it.`);
  for (const v of errors) io.annotate("error", `${v.stack}: ${v.reason}`);
  return errors.length > 0 ? 1 : 0;
});

if (require.main === module) runMain(main);
