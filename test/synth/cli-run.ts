import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { runCli } from "../../synth/cli";
import { ROOT } from "../harness";
import { testDir } from "../scratch";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The synth CLI in this process (synth/cli.ts's runCli, as its entry runs it), with stdout, stderr
 * and the exit code recorded. `root`: a checkout's stack files other than this repository's.
 * `npm run snapshots` in test/synth/cli.test.ts runs the real entry in its own process.
 */
export async function synthInProcess(args: string[], opts: { root?: string; cwd?: string } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    root: opts.root ?? ROOT,
    cwd: opts.cwd ?? opts.root ?? ROOT,
    env: { ...process.env, WEBSTACK_DEBUG: "" },
  });
  return { code, stdout, stderr };
}

/**
 * A scratch checkout's stack files: Pulumi.yaml, every Pulumi.<stack>.yaml and stacks/, with
 * `stack`'s file edited (or, with `as`, written under that stack name instead). The program
 * itself stays this repository's.
 */
export function stackFilesWith(stack: string, edit: (config: Record<string, any>) => void, as = stack): string {
  const dir = testDir("webstack-stack-files-");
  for (const entry of readdirSync(ROOT)) {
    if (/^Pulumi(\..+)?\.ya?ml$/.test(entry)) cpSync(join(ROOT, entry), join(dir, entry));
  }
  cpSync(join(ROOT, "stacks"), join(dir, "stacks"), { recursive: true });
  const doc = YAML.parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  edit(doc.config);
  writeFileSync(join(dir, `Pulumi.${as}.yaml`), YAML.stringify(doc));
  return dir;
}
