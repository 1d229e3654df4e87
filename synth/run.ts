import * as pulumi from "@pulumi/pulumi";
import type { Manifest } from "./manifest";
import { createMocks } from "./mocks";
import { recordMonitor } from "./recorder";

export interface SynthOptions {
  project: string;
  stack: string;
  organization?: string;
  /** Flat Pulumi config: `webstack:backend` → JSON text, as the CLI would pass it. */
  config: Record<string, string>;
  secretKeys?: string[];
  /** Tests only: record secrets as `{"[secret]": value}` instead of redacting them. */
  revealSecrets?: boolean;
  /** Runs the program and returns its exports, which become the stack outputs. */
  program: () => unknown;
}

let synthsRunning = 0;
let formatter: unknown;
let limit = Error.stackTraceLimit;
const errors = Error as { prepareStackTrace?: unknown };

/** Runs a program under Pulumi's mock runtime and returns every resource it registered. */
export async function synthesize(options: SynthOptions): Promise<Manifest> {
  // The SDK reads a stack trace for every resource and promise, for source positions the manifest
  // does not keep. An installed formatter (a test runner's source mapping) ran for each of them:
  // about 15 % of a synth's CPU. V8's own formats them meanwhile; the installed one is put back.
  // Capturing no frames saves another ~6 %; a failure still has its message (the synth CLI prints
  // stacks only with WEBSTACK_DEBUG, which keeps the frames).
  if (synthsRunning++ === 0) {
    formatter = errors.prepareStackTrace;
    errors.prepareStackTrace = undefined;
    limit = Error.stackTraceLimit;
    if (!process.env.WEBSTACK_DEBUG) Error.stackTraceLimit = 0;
  }
  try {
    return await run(options);
  } finally {
    if (--synthsRunning === 0) {
      errors.prepareStackTrace = formatter;
      Error.stackTraceLimit = limit;
    }
  }
}

async function run(options: SynthOptions): Promise<Manifest> {
  await pulumi.runtime.setMocks(createMocks(), options.project, options.stack, false, options.organization ?? "organization");
  pulumi.runtime.setAllConfig(options.config, options.secretKeys ?? []);
  const recorder = recordMonitor(pulumi.runtime.getMonitor(), { revealSecrets: options.revealSecrets });

  let failure: unknown;
  // The failure is kept out of the stack's own promises, which would otherwise reject unobserved.
  await pulumi.runtime.runInPulumiStack(async () => {
    try {
      return await options.program();
    } catch (err) {
      failure = err;
      return {};
    }
  });
  // Drains registrations, including ones still in flight when the program failed.
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  if (failure) throw failure;

  return {
    project: options.project,
    stack: options.stack,
    resources: recorder.resources(),
    outputs: recorder.outputs(),
  };
}
