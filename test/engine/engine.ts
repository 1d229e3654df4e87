/**
 * The engine's side of a dynamic resource's life, over a real provider host: what `pulumi preview`,
 * `pulumi up`, `pulumi refresh` and `pulumi destroy` send for one resource, and what the engine keeps
 * in state afterwards (pkg/resource/deploy/step_generator.go and step.go, in outline):
 * - up: Check(olds = recorded inputs, news); no state → Create; else Diff(olds = recorded outputs);
 *   replacements delete first when asked; a change, or a resource with init errors, → Update; no change
 *   → the same step, which keeps the old outputs (and with them the old `__provider`).
 * - A create or update error carrying an id (ErrorResourceInitFailed) is recorded with its
 *   properties and init errors; any other error records nothing.
 * - preview: Check and Diff only, with not-yet-known inputs sent as the unknown sentinel.
 */
import { type ProviderKind, providerSource } from "../../providers/render/provider-source";
import { HostError, type ProviderHost, ResourceInitFailed, wireValue } from "./provider-host";

type Props = Record<string, any>;

export interface ResourceState {
  urn: string;
  id: string;
  inputs: Props;
  outputs: Props;
  initErrors: string[];
}

export type StepOp = "create" | "update" | "same" | "replace";

/** `check` failures, as `pulumi up` reports them before any create. */
export class CheckFailed extends Error {
  constructor(
    readonly urn: string,
    readonly failures: { property: string; reason: string }[],
  ) {
    super(`${urn}: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
    this.name = "CheckFailed";
  }
}

const TYPES: Record<ProviderKind, string> = {
  service: "Service",
  postgres: "Postgres",
  customDomain: "CustomDomain",
  project: "Project",
  environment: "Environment",
  keyValue: "KeyValue",
};

/** Which providers an engine drives: their bundles and type tokens. Render's by default. */
export interface ProviderSet<K extends string = string> {
  source(kind: K): string;
  /** The type after `pulumi-nodejs:dynamic/`, e.g. `render:Service`. */
  type(kind: K): string;
}

export const RENDER_PROVIDERS: ProviderSet<ProviderKind> = { source: providerSource, type: (k) => `render:${TYPES[k]}` };

export function urnOf<K extends string = ProviderKind>(kind: K, name: string, stack = "test", set: ProviderSet<K> = RENDER_PROVIDERS as unknown as ProviderSet<K>): string {
  return `urn:pulumi:${stack}::webstack::pulumi-nodejs:dynamic/${set.type(kind)}::${name}`;
}

export class Engine<K extends string = ProviderKind> {
  readonly state = new Map<string, ResourceState>();
  /** Steps taken by the last `up`, for assertions. */
  readonly steps: { urn: string; op: StepOp | "delete" }[] = [];

  constructor(
    readonly host: ProviderHost,
    /** Provider code per kind; tests replace it to play an older or newer release. */
    readonly bundles: Partial<Record<K, string>> = {},
    readonly providers: ProviderSet<K> = RENDER_PROVIDERS as unknown as ProviderSet<K>,
  ) {}

  inputsFor(kind: K, inputs: Props): Props {
    return wireValue({ ...inputs, __provider: this.bundles[kind] ?? this.providers.source(kind) }) as Props;
  }

  /** One resource's part of `pulumi up` (or of `pulumi preview` with `preview: true`). */
  async up(kind: K, name: string, inputs: Props, opts: { preview?: boolean } = {}): Promise<{ op: StepOp; state?: ResourceState }> {
    const urn = urnOf(kind, name, "test", this.providers);
    const news = this.inputsFor(kind, inputs);
    const prior = this.state.get(urn);
    const checked = await this.host.check(urn, prior?.inputs ?? {}, news);
    if (checked.failures.length) throw new CheckFailed(urn, checked.failures);
    const goal = checked.inputs;
    if (!prior) {
      if (opts.preview) return { op: "create" };
      return { op: "create", state: await this.create(urn, goal) };
    }
    const diff = await this.host.diff(urn, prior.id, prior.outputs, goal);
    const changed = diff.changes === "some" || (diff.changes === "unknown" && JSON.stringify(prior.inputs) !== JSON.stringify(goal));
    if (diff.replaces.length) {
      if (opts.preview) return { op: "replace" };
      if (diff.deleteBeforeReplace) {
        await this.delete(urn);
        return { op: "replace", state: await this.create(urn, goal) };
      }
      const old = prior;
      this.state.delete(urn);
      const created = await this.create(urn, goal);
      await this.host.delete(urn, old.id, old.outputs);
      this.steps.push({ urn, op: "delete" });
      return { op: "replace", state: created };
    }
    if (changed || prior.initErrors.length) {
      if (opts.preview) return { op: "update" };
      return { op: "update", state: await this.update(urn, prior, goal) };
    }
    // The same step: new inputs, old outputs.
    const same = { ...prior, inputs: goal };
    if (!opts.preview) {
      this.state.set(urn, same);
      this.steps.push({ urn, op: "same" });
    }
    return { op: "same", state: same };
  }

  private async create(urn: string, goal: Props): Promise<ResourceState> {
    this.steps.push({ urn, op: "create" });
    try {
      const { id, properties } = await this.host.create(urn, goal);
      const s = { urn, id, inputs: goal, outputs: properties, initErrors: [] };
      this.state.set(urn, s);
      return s;
    } catch (err) {
      if (err instanceof ResourceInitFailed) this.state.set(urn, { urn, id: err.id, inputs: goal, outputs: err.properties, initErrors: err.reasons.length ? err.reasons : [err.message] });
      throw err;
    }
  }

  private async update(urn: string, prior: ResourceState, goal: Props): Promise<ResourceState> {
    this.steps.push({ urn, op: "update" });
    try {
      const { properties } = await this.host.update(urn, prior.id, prior.outputs, goal);
      const s = { urn, id: prior.id, inputs: goal, outputs: properties, initErrors: [] };
      this.state.set(urn, s);
      return s;
    } catch (err) {
      if (err instanceof ResourceInitFailed) {
        this.state.set(urn, { urn, id: err.id || prior.id, inputs: goal, outputs: err.properties, initErrors: err.reasons.length ? err.reasons : [err.message] });
      }
      throw err;
    }
  }

  /** `pulumi refresh` of one resource: Read with the recorded outputs; no id back means deleted outside Pulumi. */
  async refresh(urn: string): Promise<ResourceState | undefined> {
    const s = this.state.get(urn);
    if (!s) throw new Error(`no state for ${urn}`);
    const read = await this.host.read(urn, s.id, s.outputs, s.inputs);
    if (!read.id) {
      this.state.delete(urn);
      return undefined;
    }
    const next = { ...s, id: read.id, outputs: read.properties, inputs: read.inputs ?? s.inputs };
    this.state.set(urn, next);
    return next;
  }

  /** `pulumi destroy` of one resource, with the provider code recorded in its state. */
  async delete(urn: string): Promise<void> {
    const s = this.state.get(urn);
    if (!s) return;
    this.steps.push({ urn, op: "delete" });
    await this.host.delete(urn, s.id, s.outputs);
    this.state.delete(urn);
  }

  get(kind: K, name: string): ResourceState {
    const s = this.state.get(urnOf(kind, name, "test", this.providers));
    if (!s) throw new Error(`no state for ${kind} ${name}`);
    return s;
  }
}

export function isHostError(err: unknown): err is HostError {
  return err instanceof HostError;
}
