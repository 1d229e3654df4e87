import { readFileSync } from "node:fs";
import { runMain, stepIO, stepMain, type StepIO } from "./workflow-commands";

/** One entry of `pulumi stack history --json` (the fields this reads). */
interface HistoryEntry {
  version?: number;
  kind?: string;
  result?: string;
  message?: string;
  environment?: Record<string, string>;
}

export type Deployed =
  | { kind: "none" }
  | { kind: "destroyed"; version: number | undefined }
  | { kind: "commit"; sha: string; version: number | undefined; from: "message" | "git.head"; dirty: boolean };

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/**
 * The commit the stack's last successful update deployed, from `pulumi stack history --json`.
 * deploy.yml records it as the update message; an update run by hand has Pulumi's own
 * `git.head` instead. A drift check must compare the cloud with that code, not with the branch
 * head: a commit still waiting for its deploy (or its approval) is not drift.
 */
export function deployedCommit(history: unknown): Deployed {
  if (!Array.isArray(history)) throw new Error("expected the JSON array 'pulumi stack history --json' prints");
  const entries = (history as HistoryEntry[]).map((e, i) => ({ e, i }));
  // Newest first: by version when the backend gives one, else in the order printed (newest first).
  entries.sort((a, b) => (b.e.version ?? 0) - (a.e.version ?? 0) || a.i - b.i);
  const changes = entries.map(({ e }) => e).filter((e) => e.kind === "update" || e.kind === "destroy");
  const last = changes.find((e) => e.result === "succeeded");
  if (!last) {
    const failed = changes.filter((e) => e.result === "failed").length;
    if (failed === 0) return { kind: "none" };
    throw new Error(`none of the last ${changes.length} updates succeeded (${failed} failed): there is no deployed commit to compare with`);
  }
  if (last.kind === "destroy") return { kind: "destroyed", version: last.version };
  const message = (last.message ?? "").trim();
  if (SHA.test(message)) return { kind: "commit", sha: message.toLowerCase(), version: last.version, from: "message", dirty: false };
  const head = last.environment?.["git.head"];
  if (head && SHA.test(head)) {
    return { kind: "commit", sha: head.toLowerCase(), version: last.version, from: "git.head", dirty: last.environment?.["git.dirty"] === "true" };
  }
  throw new Error(
    `update ${last.version ?? "?"} (the last successful one) records no commit: its message '${message.slice(0, 80)}' is not a commit SHA and it has no git.head`,
  );
}

/**
 * Step outputs `sha` (empty when nothing is deployed, which skips the preview) and `version`,
 * with a notice or warning saying why when there is nothing to check.
 */
export function reportDeployed(deployed: Deployed, io: StepIO): void {
  if (deployed.kind === "commit") {
    io.output("sha", deployed.sha);
    io.output("version", String(deployed.version ?? ""));
    if (deployed.dirty) io.annotate("warning", `update ${deployed.version} ran from a working tree with uncommitted changes; comparing with its commit ${deployed.sha.slice(0, 7)}`);
    return;
  }
  io.output("sha", "");
  io.output("version", deployed.kind === "destroyed" ? String(deployed.version ?? "") : "");
  io.annotate("notice", deployed.kind === "none" ? "the stack has no successful update yet: nothing to check for drift" : "the stack's last successful operation was a destroy: nothing to check for drift");
}

/** `deployed-commit.ts <history.json>`: the history as `pulumi stack history --json` prints it. */
export const main = stepMain((argv, script) => {
  if (argv.length !== 1) throw new Error("usage: deployed-commit.ts <history.json>");
  reportDeployed(deployedCommit(JSON.parse(readFileSync(argv[0]!, "utf8"))), stepIO(script.env, script.stdout));
  return 0;
});

if (require.main === module) runMain(main);
