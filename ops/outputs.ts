/**
 * A stack's outputs for the ops commands: `pulumi stack output --json --show-secrets`, or a file
 * holding that JSON (`--outputs FILE`, for CI and tests). The names are the contract in
 * components/stack-outputs.ts.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { StackOutputs } from "../components/stack-outputs";
import type { Ops } from "./context";
import { OpsError } from "./errors";

/** The stacks of this checkout: one per `Pulumi.<stack>.yaml`, plus `pr-<n>` from stacks/preview.yaml. */
export function knownStacks(root: string): string[] {
  const files = readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => !!s && !/^pr-\d+$/.test(s));
  const order = ["prod", "staging", "dev"];
  files.sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
  return existsSync(join(root, "stacks", "preview.yaml")) ? [...files, "pr-<n>"] : files;
}

/** The stack's short name (`prod` from `acme/webstack/prod`), or an error listing the known ones. */
export function checkStack(root: string, stack: string | undefined): string {
  const known = knownStacks(root);
  const short = (stack ?? "").split("/").pop() ?? "";
  if (!short) throw new OpsError(known.length ? `name a stack: ${known.join(", ")}` : "name a stack", 2);
  // A project without stack files (config kept elsewhere): Pulumi itself says whether the stack exists.
  if (!known.length) return short;
  const ok = known.includes(short) || (/^pr-[1-9]\d*$/.test(short) && known.includes("pr-<n>"));
  if (!ok) throw new OpsError(`unknown stack '${stack}'; known stacks: ${known.join(", ")}`, 2);
  return short;
}

const SECRET_PLACEHOLDER = "[secret]";

export function runPulumi(args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile("pulumi", args, { maxBuffer: 16 * 1024 * 1024, ...(signal ? { signal } : {}) }, (err, stdout, stderr) => {
      if (signal?.aborted) {
        reject(new OpsError(`pulumi ${args.slice(0, 3).join(" ")} did not finish within --timeout; check the Pulumi backend, or pass --outputs FILE`, 1));
      } else if (err && (err as NodeJS.ErrnoException).code === "ENOENT") {
        reject(new OpsError("the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/) or pass --outputs FILE", 2));
      } else if (err) {
        reject(new OpsError(`pulumi ${args.slice(0, 3).join(" ")} failed: ${String(stderr || err.message).trim().split("\n").slice(-3).join(" ")}`, 2));
      } else resolvePromise(stdout);
    });
  });
}

/** Outputs `{}`: the stack exists but was never deployed. */
export class NeverDeployedError extends OpsError {}

/** Reads and checks the outputs of `stack` (its full name is passed to Pulumi as given). */
export async function loadOutputs(ops: Ops, stack: string, file?: string, signal?: AbortSignal): Promise<StackOutputs> {
  let text: string;
  let from: string;
  if (file) {
    const path = resolve(ops.cwd, file);
    if (!existsSync(path)) throw new OpsError(`--outputs ${file}: no such file`, 2);
    text = readFileSync(path, "utf8");
    from = file;
  } else {
    text = await (ops.pulumi ?? runPulumi)(["stack", "output", "--json", "--show-secrets", "--stack", stack], signal);
    from = `pulumi stack output --stack ${stack}`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new OpsError(`${from}: not JSON (expected what \`pulumi stack output --json\` prints)`, 2);
  }
  if (parsed && typeof parsed === "object" && !Array.isArray(parsed) && Object.keys(parsed).length === 0) {
    throw new NeverDeployedError(`${from}: no outputs; has the stack been deployed?`, 2);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed) || typeof (parsed as { environment?: unknown }).environment !== "string") {
    throw new OpsError(`${from}: not a webstack stack's outputs (no 'environment'); has the stack been deployed?`, 2);
  }
  return parsed as StackOutputs;
}

/** A secret output's value, refusing the `[secret]` placeholder printed without --show-secrets. */
export function secretOutput(outputs: StackOutputs, name: "databaseOwnerConnection" | "databaseConnectionString" | "cronSecret" | "notifyWebhookUrl" | "frontendProtectionBypass" | "storageAccessKeyId" | "storageSecretAccessKey"): string | undefined {
  const v = outputs[name];
  if (v === SECRET_PLACEHOLDER) {
    throw new OpsError(`the outputs hide ${name} as [secret]: read them with \`pulumi stack output --json --show-secrets\``, 2);
  }
  return typeof v === "string" && v ? v : undefined;
}

/** One Render service of the stack: the main one, then one per developer branch. */
export interface BackendService {
  /** `main`, or the branch service's name. */
  key: string;
  id: string;
  url?: string;
  /** The URL health checks GET. */
  healthUrl?: string;
}

export function backendServices(o: StackOutputs): BackendService[] {
  const path = o.backendHealthCheckPath ?? "/";
  const health = (url?: string) => (url ? url.replace(/\/+$/, "") + path : undefined);
  const out: BackendService[] = [];
  if (o.backendServiceId) out.push({ key: "main", id: o.backendServiceId, url: o.backendUrl, healthUrl: health(o.backendUrl) });
  for (const [key, id] of Object.entries(o.branchServiceIds ?? {})) {
    const url = o.branchUrls?.[key];
    out.push({ key, id, url, healthUrl: health(url) });
  }
  return out;
}
