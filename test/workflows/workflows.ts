import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { ROOT } from "../harness";

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
}

export interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
  outputs?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
}

export interface Workflow {
  name: string;
  on: Record<string, any>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

export const WORKFLOWS_DIR = join(ROOT, ".github", "workflows");
export const workflowFiles = () => readdirSync(WORKFLOWS_DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
export const workflowText = (file: string) => readFileSync(join(WORKFLOWS_DIR, file), "utf8");
export const workflow = (file: string) => YAML.parse(workflowText(file)) as Workflow;
export const parse = (text: string) => YAML.parse(text) as Workflow;

/** Fills `${{ expr }}` from `values`; an expression not in `values` throws, so nothing is silently guessed. */
export function expand(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    if (!(expr in values)) throw new Error(`no value for \${{ ${expr} }} in '${template}'`);
    return values[expr]!;
  });
}

/** Names of the secrets a workflow node refers to, GITHUB_TOKEN excepted. */
export function secretsIn(node: unknown): string[] {
  const names = [...JSON.stringify(node ?? null).matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
  return [...new Set(names)].filter((n) => n !== "GITHUB_TOKEN").sort();
}

export const environmentOf = (job: Job): string | undefined => (typeof job.environment === "string" ? job.environment : job.environment?.name);

export const triggers = (wf: Workflow): string[] => (typeof wf.on === "string" ? [wf.on] : Array.isArray(wf.on) ? wf.on : Object.keys(wf.on));

export const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);

/** The index of the first step matching, or -1. */
export const stepIndex = (job: Job, match: (s: Step) => boolean) => job.steps.findIndex(match);
