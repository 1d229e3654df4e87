import * as pulumi from "@pulumi/pulumi";
import { random, type RandomPasswordArgs } from "./random-resources";
import {
  CONSUMERS,
  VERCEL_TARGETS,
  guardReason,
  slotLabel,
  vercelSensitive,
  vercelVariableIssues,
  type Consumer,
  type VercelSlot,
  type VercelTarget,
} from "./env-guard";
import { applyTransform, type ResourceTransform } from "./transform";

export type { Consumer, VercelSlot, VercelTarget } from "./env-guard";

/**
 * One variable. It has exactly one source (`literal`, `secret`, `generate` or `from`), is marked
 * `public` or server-only, and names who reads it (`to`).
 */
export interface EnvVar {
  /** UPPER_SNAKE_CASE name, e.g. `DATABASE_URL`. */
  name: string;
  /** A literal value. It is stored in plain text, so it is usually public too. */
  literal?: string;
  /**
   * A secret value, typically from stack config; always kept a Pulumi secret, always server-only.
   * @example { name: "STRIPE_SECRET_KEY", secret: loaded.secret("STRIPE_SECRET_KEY"), to: ["backend"] }
   */
  secret?: pulumi.Input<string>;
  /**
   * Generate a random URL-safe secret of this many characters (16-128), once per stack, and share
   * it with every consumer in `to`.
   * @example { name: "CRON_SECRET", generate: 48, to: ["backend", "worker"] }
   */
  generate?: number;
  /**
   * A value another component computes: a service URL, a connection string. It keeps its own
   * secrecy (a secret Output stays secret).
   * @example { name: "DATABASE_URL", from: db.connectionString, to: ["backend"] }
   */
  from?: pulumi.Input<string>;
  /**
   * The value may reach a browser (bundles, the Vercel dashboard, `vercel env pull`). Default
   * false: server-only. Names with a browser prefix (`NEXT_PUBLIC_`, `VITE_`…) must be public.
   */
  public?: boolean;
  /**
   * Who reads it.
   * @example ["backend", "worker"]
   */
  to: Consumer[];
  /**
   * Frontend-only variables: the one Vercel target this value is for. Without it the value goes
   * to every slot in `frontendSlots`.
   */
  target?: VercelTarget;
  /**
   * With `target: "preview"`: the git branch whose preview deployments get this value.
   * @example "alice"
   */
  gitBranch?: string;
  /** Where the value comes from, for people: the Vercel dashboard comment and error messages. */
  description?: string;
}

export interface EnvVarSetArgs {
  /** The variables. One name, one value: a name appears once, unless each entry is for another frontend slot. */
  variables: EnvVar[];
  /**
   * The Vercel slots this stack writes frontend variables to (other stacks may write the other
   * slots of the same project). Default: production, preview and development.
   * @example [{ target: "preview", gitBranch: "staging" }, { target: "preview" }]
   */
  frontendSlots?: VercelSlot[];
}

export interface EnvVarSetOptions extends pulumi.ComponentResourceOptions {
  transform?: {
    /** Applied to each generated secret. */
    password?: ResourceTransform<RandomPasswordArgs>;
  };
}

/** One variable as FrontendSite creates it: a Vercel project environment variable in one slot. */
export interface VercelVariable {
  /** Variable name, e.g. `NEXT_PUBLIC_API_URL`. */
  key: string;
  /** The value; a secret stays secret. */
  value: pulumi.Input<string>;
  /** The Vercel target it is set for. */
  target: VercelTarget;
  /** Preview only: the git branch. */
  gitBranch?: string;
  /** Write-only on Vercel; set for everything that is not public. */
  sensitive: boolean;
  /** Shown in the Vercel dashboard: which stack set it and where the value comes from. */
  comment?: string;
}

/** Kind of a Worker binding: readable text, or an encrypted secret. */
export const WorkerBindingType = { plain_text: "plain_text", secret_text: "secret_text" } as const;
export type WorkerBindingType = (typeof WorkerBindingType)[keyof typeof WorkerBindingType];

/** A Cloudflare Workers binding (`WorkersScript.bindings` entry). */
export interface WorkerBinding {
  /** Variable name the Worker reads. */
  name: string;
  /** `secret_text` for everything not public. */
  type: WorkerBindingType;
  /** The value. */
  text: pulumi.Input<string>;
}

/** A variable whose value is known (generated secrets already created). */
interface Resolved {
  name: string;
  value: pulumi.Output<string>;
  secret: boolean;
  public: boolean;
  to: Consumer[];
  slot?: VercelSlot;
  comment: string;
}

const NAME = /^[A-Z_][A-Z0-9_]*$/;
export const DEFAULT_FRONTEND_SLOTS: readonly VercelSlot[] = [
  { target: "production" },
  { target: "preview" },
  { target: "development" },
];

/**
 * Every problem with a set of variables, one line each, naming the variable. Pure: the config
 * validation and the component run it before anything is registered.
 */
export function envVarIssues(vars: readonly EnvVar[], slots: readonly VercelSlot[] = DEFAULT_FRONTEND_SLOTS): string[] {
  const issues: string[] = [];
  const slotIds = new Set(slots.map(slotLabel));
  vars.forEach((v, i) => {
    const at = `variables[${i}] (${v.name})`;
    const add = (msg: string) => issues.push(`${at}: ${msg}`);
    if (!NAME.test(v.name)) add("expected an UPPER_SNAKE_CASE variable name");
    const sources = (["literal", "secret", "generate", "from"] as const).filter((k) => v[k] !== undefined);
    if (sources.length !== 1) {
      add(`needs exactly one source of literal | secret | generate | from, got ${sources.length ? sources.join(", ") : "none"}`);
    }
    if (v.generate !== undefined && !(Number.isInteger(v.generate) && v.generate >= 16 && v.generate <= 128)) {
      add("generate: expected a length from 16 to 128");
    }
    if (!Array.isArray(v.to) || v.to.length === 0) add("to: name at least one of 'backend' | 'frontend' | 'worker'");
    for (const c of v.to ?? []) if (!CONSUMERS.includes(c)) add(`to: unknown consumer '${c}'`);
    const reason = guardReason({ name: v.name, secret: isSecretSource(v), public: v.public === true, ...(typeof v.literal === "string" ? { literal: v.literal } : {}) });
    if (reason) add(reason);
    if (v.gitBranch !== undefined && v.target !== "preview") add("gitBranch needs target 'preview'");
    if (v.target !== undefined) {
      if (!VERCEL_TARGETS.includes(v.target)) add(`target: unknown Vercel target '${v.target}'`);
      if (v.to.length !== 1 || v.to[0] !== "frontend") add("a value for one Vercel target must go to ['frontend'] only");
      const label = slotLabel({ target: v.target, gitBranch: v.gitBranch });
      if (!slotIds.has(label)) add(`slot ${label} is not one of this set's frontendSlots (${[...slotIds].join(", ")})`);
      if (v.target === "development" && v.public !== true) {
        add("server-only values cannot target development (Vercel keeps development values readable)");
      }
    }
  });
  // One name, one value: a name repeats only across distinct frontend slots.
  const byName = new Map<string, EnvVar[]>();
  for (const v of vars) byName.set(v.name, [...(byName.get(v.name) ?? []), v]);
  for (const [name, list] of byName) {
    if (list.length < 2) continue;
    const labels = list.map((v) => (v.target ? slotLabel({ target: v.target, gitBranch: v.gitBranch }) : "*"));
    if (labels.includes("*") || new Set(labels).size !== labels.length) {
      issues.push(`${name}: defined more than once; a name has one value per stack (per Vercel slot for frontend values)`);
    }
  }
  return issues;
}

function isSecretSource(v: EnvVar): boolean {
  return v.secret !== undefined || v.generate !== undefined;
}

function sourceComment(v: EnvVar): string {
  if (v.description) return v.description;
  if (v.literal !== undefined) return "literal";
  if (v.secret !== undefined) return "secret from stack config";
  if (v.generate !== undefined) return "generated secret";
  return "from another component";
}

/** Throws one error listing every problem, naming `label` (the component) and each variable. */
function assertValid(label: string, issues: string[]): void {
  if (issues.length > 0) {
    throw new pulumi.RunError(`${label}: invalid variables:\n${issues.map((i) => `  ${i}`).join("\n")}`);
  }
}

/** A variable without its value (unless it is a public literal). */
function describeVariable(v: EnvVar): Record<string, unknown> {
  const source = v.literal !== undefined ? "literal" : v.secret !== undefined ? "secret" : v.generate !== undefined ? "generate" : "from";
  return {
    name: v.name,
    source,
    ...(source === "literal" && v.public ? { value: v.literal } : {}),
    public: v.public === true,
    to: v.to,
    ...(v.target ? { target: v.target } : {}),
    ...(v.gitBranch ? { gitBranch: v.gitBranch } : {}),
  };
}

function resolve(v: EnvVar, generated?: pulumi.Output<string>): Resolved {
  const secret = isSecretSource(v);
  let value: pulumi.Output<string>;
  if (v.literal !== undefined) value = pulumi.output(v.literal);
  else if (v.secret !== undefined) value = pulumi.secret(v.secret);
  else if (generated) value = pulumi.secret(generated);
  else if (v.public === true) value = refuseSecret(v.name, pulumi.output(v.from as pulumi.Input<string>));
  else value = pulumi.output(v.from as pulumi.Input<string>);
  return {
    name: v.name,
    value,
    secret,
    public: v.public === true,
    to: v.to,
    slot: v.target ? { target: v.target, gitBranch: v.gitBranch } : undefined,
    comment: `${pulumi.getStack()}: ${sourceComment(v)}`,
  };
}

/**
 * A value from another component marked public must not be a Pulumi secret: whatever consumes it
 * (a registration, an apply) fails with the variable's name instead of publishing the secret.
 */
function refuseSecret(name: string, value: pulumi.Output<string>): pulumi.Output<string> {
  return pulumi.output(pulumi.isSecret(value)).apply((secret) => {
    if (secret) throw new pulumi.RunError(`${name}: marked public, but its value is a Pulumi secret; keep it server-only`);
    return value;
  });
}

function toVercel(vars: readonly Resolved[], slots: readonly VercelSlot[]): VercelVariable[] {
  const out: VercelVariable[] = [];
  for (const v of vars) {
    if (!v.to.includes("frontend")) continue;
    const sensitive = vercelSensitive(v.public);
    // Sensitive values never go to development: Vercel refuses them there.
    const targets = (v.slot ? [v.slot] : slots).filter((s) => !(sensitive && s.target === "development"));
    for (const s of targets) {
      out.push({
        key: v.name,
        value: sensitive ? pulumi.secret(v.value) : v.value,
        target: s.target,
        ...(s.gitBranch ? { gitBranch: s.gitBranch } : {}),
        sensitive,
        comment: v.comment,
      });
    }
  }
  assertValid("Vercel variables", vercelVariableIssues(out));
  return out;
}

/**
 * The Vercel variables for variables that need no generated secret, checked by the same guard as
 * an EnvVarSet. For values that exist only after the set (e.g. the backend URLs, see
 * `apiUrlVariables`).
 */
export function vercelVariables(vars: readonly EnvVar[], slots: readonly VercelSlot[] = DEFAULT_FRONTEND_SLOTS): VercelVariable[] {
  assertValid("vercelVariables", envVarIssues(vars, slots));
  if (vars.some((v) => v.generate !== undefined)) {
    throw new pulumi.RunError("vercelVariables: generated secrets need an EnvVarSet, which owns the RandomPassword");
  }
  return toVercel(
    vars.map((v) => resolve(v)),
    slots,
  );
}

/**
 * One typed, secret-aware set of variables, rendered for Render (`renderEnvVars`), Vercel
 * (`vercelVariables`) and Cloudflare Workers (`workerBindings`). Generated secrets are
 * `RandomPassword` children, created once per stack and shared by every consumer in `to`.
 * The guard refuses a secret or server-only value under a browser-visible name.
 */
export class EnvVarSet extends pulumi.ComponentResource {
  /** Backend variables for `WebService.envVars`; secret as a whole when any value is secret. */
  public readonly renderEnvVars: pulumi.Output<Record<string, string>>;
  /** Frontend variables, one per slot, for `FrontendSite.variables`. */
  public readonly vercelVariables: VercelVariable[];
  /** Worker bindings: `secret_text` for everything not public. */
  public readonly workerBindings: WorkerBinding[];
  /** Each variable that has one value (not per-slot), by name, e.g. `values.CRON_SECRET`. */
  public readonly values: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: EnvVarSetArgs, opts: EnvVarSetOptions = {}) {
    const slots = args.frontendSlots ?? DEFAULT_FRONTEND_SLOTS;
    // Refuse bad input before this component or any child is registered.
    assertValid(`EnvVarSet '${name}'`, envVarIssues(args.variables, slots));
    const { transform, ...componentOpts } = opts;
    // Recorded for review (synth, preview): which variable goes where and from what source;
    // only public literals show a value.
    super("webstack:index:EnvVarSet", name, { variables: args.variables.map(describeVariable) }, componentOpts);

    const resolved = args.variables.map((v) => {
      if (v.generate === undefined) return resolve(v);
      const [pwArgs, pwOpts] = applyTransform(
        transform?.password,
        // URL-safe: letters and digits only, so it survives headers, query strings and DSNs.
        { length: v.generate, special: false } as RandomPasswordArgs,
        { parent: this },
      );
      const password = new random.RandomPassword(`${name}-${v.name.toLowerCase().replace(/_/g, "-")}`, pwArgs, pwOpts);
      return resolve(v, password.result);
    });

    const backend = resolved.filter((v) => v.to.includes("backend"));
    this.renderEnvVars = pulumi.all(Object.fromEntries(backend.map((v) => [v.name, v.value]))) as pulumi.Output<
      Record<string, string>
    >;
    this.vercelVariables = toVercel(resolved, slots);
    this.workerBindings = resolved
      .filter((v) => v.to.includes("worker"))
      .map((v) =>
        v.public
          ? { name: v.name, type: "plain_text" as const, text: v.value }
          : { name: v.name, type: "secret_text" as const, text: pulumi.secret(v.value) },
      );
    this.values = Object.fromEntries(resolved.filter((v) => !v.slot).map((v) => [v.name, v.value]));

    this.registerOutputs({ renderEnvVars: this.renderEnvVars });
  }
}
