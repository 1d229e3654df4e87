import { setMaxListeners } from "node:events";
import type { Clock } from "./clock";

/** What every ops command runs with; the CLI passes the real process's, tests their own. */
export interface Ops {
  env: Record<string, string | undefined>;
  clock: Clock;
  /** One line of results (stdout). */
  out(line: string): void;
  /** One line of progress or diagnostics (stderr). */
  err(line: string): void;
  /** The Pulumi project's folder (nearest Pulumi.yaml up from the working directory): stack files live there. */
  root: string;
  /** Where relative paths (--out, --outputs) resolve. */
  cwd: string;
  /** Reads one line from the operator, or undefined when there is no terminal. */
  ask?(question: string): Promise<string | undefined>;
  /** Runs the Pulumi CLI with these arguments and returns its stdout (tests replace it); `signal` is the command's deadline. */
  pulumi?(args: string[], signal?: AbortSignal): Promise<string>;
}

/** A command's `--timeout`: one deadline every request and wait of the command runs under. */
export interface Deadline {
  signal: AbortSignal;
  timeoutMs: number;
  /** Clock time it passes at. */
  at: number;
}

/** The deadline; `stop` (the command finished) also ends whatever of it still runs. */
export function startDeadline(clock: Clock, timeoutMs: number, stop?: AbortSignal): Deadline {
  const signal = clock.deadline(timeoutMs, stop).signal;
  // Every request of the command listens to it (a status of a large stack makes dozens); each
  // listener goes when its request's timeout fires or the command ends. Node's leak warning, at 11,
  // would be printed to the operator for nothing.
  setMaxListeners(0, signal);
  return { signal, timeoutMs, at: clock.now() + timeoutMs };
}
