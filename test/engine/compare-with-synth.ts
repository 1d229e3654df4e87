/**
 * Puts what a cmd/run run registered and what the offline synth recorded side by side. URNs
 * differ (the engine leaves the root stack out of a child's type chain, the mock monitor does
 * not), so resources are matched by type, name and their parent's type and name.
 */
import { freshProgram } from "../harness";
import { SECRET, type Manifest } from "../../synth/manifest";
import { redact, SECRET_SIG, SECRET_VALUE } from "../../synth/redact";
import { synthesize } from "../../synth/run";
import type { StackFile } from "../../synth/stack-file";
import { runProgram, type ProgramRun } from "./program-host";
import { UNKNOWN, type RecordedResource } from "./recording-engine";

/** The offline synth of a stack file; its outputs are the module's exports, as cmd/run takes them. */
export function synthFile(file: StackFile): Promise<Manifest> {
  return synthesize({
    project: file.project,
    stack: file.stack,
    organization: "acme",
    config: file.config,
    secretKeys: file.secretKeys,
    program: freshProgram,
  });
}

/** A stack file through cmd/run in preview and in update (both at once), beside its offline synth. */
export async function runBothModes(file: StackFile): Promise<{ runs: Record<"preview" | "update", ProgramRun>; synth: Manifest }> {
  const children = Promise.all([runProgram({ file, dryRun: true }), runProgram({ file, dryRun: false })]);
  const synth = await synthFile(file);
  const [preview, update] = await children;
  return { runs: { preview, update }, synth };
}

export interface Comparable {
  type: string;
  name: string;
  /** The parent's `type::name`, null for the stack. */
  parent: string | null;
  custom: boolean;
  protect: boolean;
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  /** `type::name` of each dependency, sorted. */
  dependsOn: string[];
  /** Inputs with secrets as "[secret]" and provider bundles as "[dynamic provider]". */
  inputs: Record<string, unknown>;
}

/** `type::name` of the resource a URN names (`urn:pulumi:stack::project::A$B$type::name`). */
export function urnKey(urn: string): string {
  const parts = urn.split("::");
  return `${parts[2]!.split("$").pop()}::${parts.slice(3).join("::")}`;
}

const entryKey = (c: Comparable) => `${c.parent ?? "(root)"} > ${c.type}::${c.name}`;

function index(items: Comparable[]): Map<string, Comparable> {
  const map = new Map<string, Comparable>();
  for (const c of items) {
    const key = entryKey(c);
    if (map.has(key)) throw new Error(`two resources are both ${key}`);
    map.set(key, c);
  }
  return new Map([...map].sort(([a], [b]) => a.localeCompare(b)));
}

const containsSecret = (v: unknown): boolean =>
  !!v && typeof v === "object" && ((v as Record<string, unknown>)[SECRET_SIG] === SECRET_VALUE || Object.values(v).some(containsSecret));

/**
 * The synth records inputs through the SDK's deserializeProperties, which marks a whole top-level
 * input secret when anything inside it is (a Worker's `bindings` for one secret_text); the wire
 * keeps the secret where it is. Hoisted the same way here, so the two compare.
 */
export function hoistSecrets(inputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, containsSecret(v) ? { [SECRET_SIG]: SECRET_VALUE, value: v } : v]));
}

export function fromRun(resources: RecordedResource[]): Map<string, Comparable> {
  return index(
    resources.map((r) => ({
      type: r.type,
      name: r.name,
      parent: r.parent ? urnKey(r.parent) : null,
      custom: r.custom,
      protect: r.protect,
      retainOnDelete: r.retainOnDelete,
      deleteBeforeReplace: r.deleteBeforeReplace,
      dependsOn: r.dependencies.map(urnKey).sort(),
      inputs: redact(hoistSecrets(r.inputs)) as Record<string, unknown>,
    })),
  );
}

export function fromManifest(m: Manifest): Map<string, Comparable> {
  return index(
    m.resources.map((r) => ({
      type: r.type,
      name: r.name,
      parent: r.parent ? urnKey(r.parent) : null,
      custom: r.custom,
      protect: r.protect,
      retainOnDelete: r.retainOnDelete,
      deleteBeforeReplace: r.deleteBeforeReplace ?? false,
      dependsOn: r.dependsOn.map(urnKey).sort(),
      inputs: r.inputs,
    })),
  );
}

/**
 * Where a preview's value disagrees with the synth's (which saw every value). An unknown
 * matches anything, including a key the synth does not have (it resolved to undefined).
 */
export function previewMismatches(preview: unknown, synth: unknown, path = ""): string[] {
  if (preview === UNKNOWN) return [];
  // The SDK sends an unknown secret as a bare unknown, so the hoisted secret is not there to see.
  if (synth === SECRET && countUnknowns(preview) > 0) return [];
  const show = (v: unknown) => JSON.stringify(v)?.slice(0, 120);
  if (Array.isArray(preview) && Array.isArray(synth)) {
    if (preview.length !== synth.length) return [`${path}: ${preview.length} items, the synth has ${synth.length}`];
    return preview.flatMap((v, i) => previewMismatches(v, synth[i], `${path}[${i}]`));
  }
  const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
  if (isObject(preview) && isObject(synth)) {
    const keys = [...new Set([...Object.keys(preview), ...Object.keys(synth)])].sort();
    return keys.flatMap((k) =>
      k in preview ? previewMismatches(preview[k], synth[k], `${path}.${k}`) : [`${path}.${k}: missing, the synth has ${show(synth[k])}`],
    );
  }
  return JSON.stringify(preview) === JSON.stringify(synth) ? [] : [`${path}: ${show(preview)}, the synth has ${show(synth)}`];
}

/** How many values in a wire-form value are unknown. */
export function countUnknowns(value: unknown): number {
  if (value === UNKNOWN) return 1;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countUnknowns(v), 0);
  if (value && typeof value === "object") return Object.values(value).reduce((n: number, v) => n + countUnknowns(v), 0);
  return 0;
}
