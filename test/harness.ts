import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Manifest, ManifestResource } from "../synth/manifest";
import { prepareStack } from "../synth/prepare";
import { synthesize } from "../synth/run";
import { readStackFile, type StackFile } from "../synth/stack-file";

export const ROOT = resolve(__dirname, "..");

export type SectionOverrides = Record<string, unknown>;

/**
 * A committed stack file with some `webstack:*` sections replaced (a value of `undefined`
 * removes the section), as the CLI would pass it to the program.
 */
export function stackFileWith(stack: string, overrides: SectionOverrides = {}): StackFile {
  const file = readStackFile(ROOT, stack);
  const config = { ...file.config };
  for (const [section, value] of Object.entries(overrides)) {
    const key = section.includes(":") ? section : `webstack:${section}`;
    if (value === undefined) delete config[key];
    else config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { ...file, config };
}

/**
 * index.ts evaluated afresh, as Pulumi runs it (it registers its resources as it loads), under an id
 * of its own, so the modules it imports stay loaded: they keep no state from one run to the next
 * (config is read inside functions; module-level maps only memoize pure answers). Resetting every
 * module instead (vi.resetModules) cost about a quarter of each synth's CPU.
 */
export function freshProgram(): Promise<unknown> {
  return import(/* @vite-ignore */ `../index.ts?run=${randomUUID()}`).then((m: { default: unknown }) => m.default);
}

/** Runs `index.ts` under mocks for a stack file; rejects with the program's error. */
export async function synthProgram(file: StackFile, opts: { stack?: string; revealSecrets?: boolean } = {}): Promise<Manifest> {
  const prepared = prepareStack(file);
  // An invalid config still goes to the program: it must refuse it by itself.
  const run = prepared.ok ? prepared.stackFile : file;
  return synthesize({
    project: run.project,
    stack: opts.stack ?? run.stack,
    organization: "acme",
    config: run.config,
    secretKeys: run.secretKeys,
    revealSecrets: opts.revealSecrets,
    // index.ts exports a promise of its outputs, as Pulumi runs it.
    program: freshProgram,
  });
}

/** Runs `index.ts` for a committed stack, optionally with some sections replaced. */
export function synthStack(stack: string, overrides?: SectionOverrides, opts?: { revealSecrets?: boolean }): Promise<Manifest> {
  return synthProgram(stackFileWith(stack, overrides), opts);
}

const committed = new Map<string, Promise<Manifest>>();
let queue: Promise<unknown> = Promise.resolve();
/**
 * synthStack(stack) of a committed stack without overrides, synthesized once per test file: later
 * calls get a copy of the first manifest, so no test sees another's changes. Synths run one at a
 * time (the mock runtime is process-global); a failed synth is not kept.
 */
export async function synthCommitted(stack: string, opts: { revealSecrets?: boolean } = {}): Promise<Manifest> {
  const key = `${stack}${opts.revealSecrets ? " revealed" : ""}`;
  let manifest = committed.get(key);
  if (!manifest) {
    manifest = queue.then(() => synthStack(stack, undefined, opts));
    queue = manifest.catch(() => undefined);
    committed.set(key, manifest);
    manifest.catch(() => committed.delete(key));
  }
  return structuredClone(await manifest);
}

/** The value of a secret recorded with `revealSecrets`; fails when the value was not secret. */
export function revealed(value: unknown): unknown {
  if (!value || typeof value !== "object" || !("[secret]" in value)) {
    throw new Error(`expected a secret, got ${JSON.stringify(value)}`);
  }
  return (value as Record<string, unknown>)["[secret]"];
}

/** Runs a callback that builds components under mocks and records what it registers. */
export function synthComponent(
  build: () => Record<string, unknown> | void,
  opts: { stack?: string; config?: Record<string, string> } = {},
): Promise<Manifest> {
  return synthesize({
    project: "webstack",
    stack: opts.stack ?? "test",
    organization: "acme",
    config: opts.config ?? {},
    program: () => build() ?? {},
  });
}

/** Resolves an Output's value (and whether it is secret) outside the program. */
export async function settle<T>(o: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
  const value = await new Promise<T>((r) => o.apply((v) => (r(v), v)));
  return { value, secret: await pulumi.isSecret(o) };
}

export function byType(m: Manifest, type: string): ManifestResource[] {
  return m.resources.filter((r) => r.type === type);
}

export function one(m: Manifest, type: string, name?: string): ManifestResource {
  const found = byType(m, type).filter((r) => name === undefined || r.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.map((r) => r.name).join(", ") || "none"}`);
  }
  return found[0]!;
}
