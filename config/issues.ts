import { distance } from "fastest-levenshtein";
import type { z } from "zod";

type PathKey = PropertyKey;

/** `webstack:cron.jobs[1].schedule` from `["cron", "jobs", 1, "schedule"]`. */
export function configKey(namespace: string, path: readonly PathKey[]): string {
  let key = `${namespace}:`;
  path.forEach((p, i) => {
    if (typeof p === "number") key += `[${p}]`;
    else key += (i === 0 ? "" : ".") + String(p);
  });
  return key;
}

/** The keys an object schema accepts at `path` (union options merged), for "did you mean". */
export function allowedKeysAt(schema: z.ZodType, path: readonly PathKey[]): string[] {
  let nodes: any[] = [schema];
  for (const seg of [...path, undefined]) {
    nodes = nodes.flatMap(unwrap);
    if (seg === undefined) break;
    nodes = nodes.flatMap((n) => {
      const def = n._zod.def;
      if (def.type === "object") return def.shape[seg as string] ? [def.shape[seg as string]] : [];
      if (def.type === "array") return typeof seg === "number" ? [def.element] : [];
      if (def.type === "record") return [def.valueType];
      return [];
    });
  }
  const keys = new Set<string>();
  for (const n of nodes) if (n._zod.def.type === "object") Object.keys(n._zod.def.shape).forEach((k) => keys.add(k));
  return [...keys];
}

/**
 * For a key unknown at `path` that another option of a discriminated union there accepts: the
 * discriminator, the value the input has, and the values whose option takes the key.
 */
export function otherModeFor(schema: z.ZodType, path: readonly PathKey[], key: string, input: unknown): { discriminator: string; current: unknown; modes: string[] } | undefined {
  let nodes: any[] = [schema];
  for (const seg of path) {
    nodes = nodes.flatMap(unwrap).flatMap((n) => {
      const def = n._zod.def;
      if (def.type === "object") return def.shape[seg as string] ? [def.shape[seg as string]] : [];
      if (def.type === "array") return typeof seg === "number" ? [def.element] : [];
      if (def.type === "record") return [def.valueType];
      return [];
    });
  }
  const unions = nodes.flatMap(unwrapToUnion).filter((n) => n._zod.def.discriminator);
  for (const u of unions) {
    const discriminator: string = u._zod.def.discriminator;
    const modes = (u._zod.def.options as any[])
      .filter((o) => o._zod.def.type === "object" && key in o._zod.def.shape)
      .flatMap((o) => [...(o._zod.def.shape[discriminator]?._zod.values ?? [])].map(String));
    if (modes.length) return { discriminator, current: (valueAt(input, path) as any)?.[discriminator], modes };
  }
  return undefined;
}

/** Unwraps optional, default and pipe wrappers down to a union, if there is one. */
function unwrapToUnion(node: any): any[] {
  const def = node._zod.def;
  if (["optional", "default", "nullable", "prefault", "readonly"].includes(def.type)) return unwrapToUnion(def.innerType);
  if (def.type === "pipe") return [...unwrapToUnion(def.in), ...unwrapToUnion(def.out)];
  return def.type === "union" ? [node] : [];
}

function unwrap(node: any): any[] {
  const def = node._zod.def;
  switch (def.type) {
    case "optional":
    case "default":
    case "nullable":
    case "prefault":
    case "readonly":
      return unwrap(def.innerType);
    case "pipe":
      return [...unwrap(def.in), ...unwrap(def.out)];
    case "union":
      return def.options.flatMap(unwrap);
    default:
      return [node];
  }
}

/** The closest allowed key within two edits, case-insensitive. */
export function suggest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of [...allowed].sort()) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function valueAt(input: unknown, path: readonly PathKey[]): unknown {
  let v: any = input;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = v[seg as any];
  }
  return v;
}

function quote(values: readonly unknown[]): string {
  return values.map((v) => `'${String(v)}'`).join(" | ");
}

function describeInput(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "array";
  return typeof input;
}

/** Issues in the order their keys are declared, whichever check found them (shape or refinement). */
function inSchemaOrder(schema: z.ZodType, issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  // Unknown keys come after the known ones of their level.
  const at = (keys: string[], key: string) => (keys.includes(key) ? keys.indexOf(key) : keys.length);
  const rank = (path: readonly PathKey[]) => path.map((seg, i) => (typeof seg === "number" ? seg : at(allowedKeysAt(schema, path.slice(0, i)), seg as string)));
  const compare = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  };
  // An unknown-keys issue sits at the parent; rank it at the key itself.
  const pathOf = (i: z.core.$ZodIssue) => (i.code === "unrecognized_keys" ? [...i.path, i.keys[0]!] : i.path);
  return issues.map((issue) => ({ issue, at: rank(pathOf(issue)) })).sort((x, y) => compare(x.at, y.at)).map((x) => x.issue);
}

/**
 * One line per problem, each naming the full key:
 * `webstack:database.mode: expected 'isolated' | 'shared'`.
 */
export function formatIssues(
  namespace: string,
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
): string[] {
  const lines: string[] = [];
  for (const issue of inSchemaOrder(schema, issues)) {
    const path = issue.path;
    const value = valueAt(input, path);
    switch (issue.code) {
      case "unrecognized_keys": {
        const allowed = allowedKeysAt(schema, path);
        for (const key of issue.keys) {
          // A key of the other mode: say so, rather than suggest the very key the user wrote.
          const other = otherModeFor(schema, path, key, input);
          if (other) {
            lines.push(
              `${configKey(namespace, [...path, key])}: belongs to ${other.discriminator} ${quote(other.modes)}, ` +
                `not '${String(other.current)}'; remove it, or set ${configKey(namespace, [...path, other.discriminator])}: ${other.modes[0]}`,
            );
            continue;
          }
          const hint = suggest(key, allowed);
          lines.push(
            `${configKey(namespace, [...path, key])}: unknown key` +
              (hint ? `; did you mean '${hint}'?` : allowed.length ? `; expected one of ${quote(allowed.sort())}` : ""),
          );
        }
        break;
      }
      case "invalid_type":
        lines.push(
          value === undefined
            ? `${configKey(namespace, path)}: missing required key (expected ${issue.expected})`
            : `${configKey(namespace, path)}: expected ${issue.expected}, got ${describeInput(value)}`,
        );
        break;
      case "invalid_value":
        lines.push(
          value === undefined
            ? `${configKey(namespace, path)}: missing required key (expected ${quote(issue.values)})`
            : `${configKey(namespace, path)}: expected ${quote(issue.values)}`,
        );
        break;
      case "invalid_key":
        lines.push(`${configKey(namespace, path)}: ${issue.issues[0]?.message ?? issue.message}`);
        break;
      case "invalid_union": {
        const options = (issue as { options?: unknown[] }).options;
        if (options?.length) lines.push(`${configKey(namespace, path)}: expected ${quote(options)}`);
        else lines.push(`${configKey(namespace, path)}: ${unionMessage(issue)}`);
        break;
      }
      default:
        lines.push(`${configKey(namespace, path)}: ${issue.message}`);
    }
  }
  return [...new Set(lines)];
}

/** For a plain union, report the branch that got furthest instead of zod's "Invalid input". */
function unionMessage(issue: z.core.$ZodIssueInvalidUnion): string {
  const branches = issue.errors.filter((b) => b.length > 0);
  const nested = branches
    .map((b) => b.filter((i) => i.path.length > 0 || i.code !== "invalid_type"))
    .find((b) => b.length > 0);
  if (nested?.[0]) {
    const inner = nested[0];
    return inner.path.length ? `${inner.path.join(".")}: ${inner.message}` : inner.message;
  }
  return issue.message === "Invalid input" ? "value does not match any accepted form" : issue.message;
}
