import { resolve } from "node:path";
import { rawSections } from "../config/raw";
import { validateStackConfig } from "../config/validate";
import { defaultConsumerName } from "../components/shared-database";
import { readStackFile } from "../synth/stack-file";
import { BRANCH_STACKS } from "./branch-stack";
import { runMain, stepIO, stepMain } from "./workflow-commands";

/** Where the PR stacks' shared database role lives, and the resource to replace to rotate its password. */
export interface PreviewRole {
  /** The owner stack's short name, e.g. `staging`. */
  stack: string;
  /** The branch that deploys it: the rotation runs there, in its environment. */
  branch: string;
  consumer: string;
  /** URN of the consumer's RandomPassword in the owner stack (components/database.ts names it `<db>-<consumer>-password`). */
  passwordUrn: string;
}

/**
 * From the PR template: the owner stack of the shared database and the consumer role every
 * `pr-<n>` stack uses. The owner must list that consumer; a template without a shared database has none.
 */
export function previewRole(root: string): PreviewRole | undefined {
  const file = readStackFile(root, "pr-0");
  const result = validateStackConfig(rawSections(file.config));
  if (!result.ok) throw new Error(`stacks/preview.yaml does not validate:\n${result.errors.join("\n")}`);
  const db = result.config.database;
  if (db?.mode !== "shared") return undefined;
  const stack = db.from.split("/").pop()!;
  const consumer = db.consumer ?? defaultConsumerName(result.config.environment, "pr-0");
  const owner = validateStackConfig(rawSections(readStackFile(root, stack).config));
  if (!owner.ok || owner.config.database?.mode !== "isolated" || !owner.config.database.consumers.includes(consumer)) {
    throw new Error(`${db.from} does not list the consumer '${consumer}' in webstack:database.consumers`);
  }
  const target = BRANCH_STACKS.find((t) => t.stack === stack);
  if (!target) throw new Error(`no branch deploys ${stack} (scripts/branch-stack.ts)`);
  return {
    stack,
    branch: target.branch,
    consumer,
    passwordUrn: `urn:pulumi:${stack}::${file.project}::webstack:index:Database$random:index/randomPassword:RandomPassword::db-${consumer}-password`,
  };
}

/**
 * `preview-role.ts <stack>` sets the step outputs `urn` (the password to replace) and `consumer`
 * when `<stack>` owns the PR stacks' role; fails otherwise, so a rotation never runs on another stack.
 */
export const main = stepMain((argv, script) => {
  const [stack] = argv;
  if (!stack || argv.length !== 1) throw new Error("usage: preview-role.ts <stack>");
  const role = previewRole(resolve(__dirname, ".."));
  if (!role) throw new Error("stacks/preview.yaml shares no database: there is no preview role to rotate");
  if (role.stack !== stack) throw new Error(`the preview role lives in ${role.stack}, not ${stack}: run this workflow on branch '${role.branch}'`);
  const io = stepIO(script.env, script.stdout);
  io.output("urn", role.passwordUrn);
  io.output("consumer", role.consumer);
  return 0;
});

if (require.main === module) runMain(main);
