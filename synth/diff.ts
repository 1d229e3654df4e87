import { formatCostDiff } from "./cost-diff";
import { formatMermaid } from "./format/mermaid";
import { SECRET, type Manifest, type ManifestResource } from "./manifest";

/**
 * One changed value: an input path such as `envVars.LOG_LEVEL`, or an option such as `(protect)`.
 * For a list, `added` and `removed` hold the elements that came or went (and `before`/`after` the
 * whole lists); an element with the same key on both sides is compared as a path of its own,
 * e.g. `variables[CORS_ALLOWED_ORIGINS].value`.
 */
export interface KeyChange {
  key: string;
  before: unknown;
  after: unknown;
  added?: unknown[];
  removed?: unknown[];
  /** The field that names a list's object elements, e.g. `name`. */
  by?: string;
}

export interface ChangedResource {
  urn: string;
  type: string;
  name: string;
  changes: KeyChange[];
}

/** What changed in one stack between two synths. A manifest of null means "no such stack there". */
export interface StackDiff {
  stack: string;
  base: Manifest | null;
  head: Manifest | null;
  added: ManifestResource[];
  removed: ManifestResource[];
  changed: ChangedResource[];
  outputs: KeyChange[];
}

// Not dependsOn: like `pulumi preview`, a dependency change alone changes nothing in the cloud.
const OPTIONS = ["custom", "protect", "retainOnDelete"] as const;

/** Compares two synths of a stack resource by resource, by URN (the identity Pulumi diffs on). */
export function diffManifests(stack: string, base: Manifest | null, head: Manifest | null): StackDiff {
  const before = new Map((base?.resources ?? []).map((r) => [r.urn, r]));
  const after = new Map((head?.resources ?? []).map((r) => [r.urn, r]));
  const added = [...after.values()].filter((r) => !before.has(r.urn));
  const removed = [...before.values()].filter((r) => !after.has(r.urn));
  const changed: ChangedResource[] = [];
  for (const r of after.values()) {
    const old = before.get(r.urn);
    if (!old) continue;
    const changes = changedPaths(old.inputs, r.inputs, []);
    for (const opt of OPTIONS) {
      if (!equal(old[opt], r[opt])) changes.push({ key: `(${opt})`, before: old[opt], after: r[opt] });
    }
    if (changes.length) changed.push({ urn: r.urn, type: r.type, name: r.name, changes });
  }
  const byUrn = (a: { urn: string }, b: { urn: string }) => a.urn.localeCompare(b.urn);
  return {
    stack,
    base,
    head,
    added: added.sort(byUrn),
    removed: removed.sort(byUrn),
    changed: changed.sort(byUrn),
    outputs: changedPaths(base?.outputs ?? {}, head?.outputs ?? {}, []),
  };
}

export function hasChanges(d: StackDiff): boolean {
  return d.added.length + d.removed.length + d.changed.length + d.outputs.length > 0;
}

/**
 * Leaf paths that differ; objects are walked key by key. Lists report the elements added and
 * removed; a list of named objects (`name`, `key`, `domain`, `id`) is walked element by element.
 */
function changedPaths(before: unknown, after: unknown, path: string[]): KeyChange[] {
  const key = path.join(".") || "(value)";
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => changedPaths(before[k], after[k], [...path, k]));
  }
  if (equal(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) return listChanges(before, after, path, key);
  return [{ key, before, after }];
}

const NAME_FIELDS = ["name", "key", "domain", "id"];

function listChanges(before: unknown[], after: unknown[], path: string[], key: string): KeyChange[] {
  const by = NAME_FIELDS.find((f) => uniqueNames(before, f) && uniqueNames(after, f));
  if (by) {
    const name = (e: unknown) => (e as Record<string, string>)[by]!;
    const old = new Map(before.map((e) => [name(e), e]));
    const now = new Map(after.map((e) => [name(e), e]));
    const added = after.filter((e) => !old.has(name(e)));
    const removed = before.filter((e) => !now.has(name(e)));
    const inner = after
      .filter((e) => old.has(name(e)))
      .flatMap((e) => changedPaths(old.get(name(e)), e, [...path.slice(0, -1), `${path.at(-1) ?? ""}[${name(e)}]`]));
    const moved = !added.length && !removed.length && !inner.length;
    return [...(added.length || removed.length || moved ? [{ key, before, after, added, removed, by }] : []), ...inner];
  }
  // Plain values: a multiset difference, so a duplicate that goes away shows too.
  const left = before.map((e) => JSON.stringify(e));
  const added: unknown[] = [];
  for (const e of after) {
    const i = left.indexOf(JSON.stringify(e));
    if (i >= 0) left.splice(i, 1);
    else added.push(e);
  }
  const removed = left.map((t) => JSON.parse(t) as unknown);
  return [{ key, before, after, added, removed }];
}

function uniqueNames(list: unknown[], field: string): boolean {
  const names = list.map((e) => (isObject(e) && typeof e[field] === "string" ? e[field] : undefined));
  return list.length > 0 && names.every((n) => n !== undefined) && new Set(names).size === names.length;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface DiffReport {
  /** Markdown naming what is compared against, e.g. "`origin/main` (1a2b3c4)". */
  base: string;
  /** Markdown naming what is compared, e.g. "working tree (5d6e7f8)". */
  head: string;
  diffs: StackDiff[];
  /** Stacks that could not be synthesized, with the message, per side. */
  errors?: { stack: string; side: "base" | "head"; message: string }[];
}

/** The PR-comment form: a summary table, then per changed stack its resources and a graph. */
export function formatDiffMarkdown(report: DiffReport): string {
  const errors = report.errors ?? [];
  const failed = (stack: string) => errors.filter((e) => e.stack === stack);
  const out = [`## Offline synth diff: ${report.base} → ${report.head}`, ""];
  out.push("| Stack | Added | Removed | Changed | |", "| --- | ---: | ---: | ---: | --- |");
  for (const d of report.diffs) {
    const note = failed(d.stack).length
      ? `synth failed at ${failed(d.stack).map((e) => e.side).join(" and ")}`
      : !d.base
        ? "new stack"
        : !d.head
          ? "stack removed"
          : hasChanges(d)
            ? ""
            : "no changes";
    // A side that failed has no manifest to compare: no counts rather than misleading ones.
    const counts = failed(d.stack).length ? ["–", "–", "–"] : [d.added.length, d.removed.length, d.changed.length];
    out.push(`| \`${d.stack}\` | ${counts.join(" | ")} | ${note} |`);
  }
  for (const e of errors) {
    out.push("", `**${e.stack}**: synth failed at ${e.side}:`, "", "```", e.message.trim(), "```");
  }
  if (report.diffs.some((d) => d.base?.cost || d.head?.cost)) out.push(...formatCostDiff(report.diffs));
  for (const d of report.diffs) {
    if (failed(d.stack).length || !hasChanges(d)) continue;
    out.push("", `### \`${d.stack}\``, "");
    if (d.added.length + d.removed.length + d.changed.length) {
      out.push("| | Resource | Type | Changed |", "| --- | --- | --- | --- |");
      for (const r of d.added) out.push(`| added | \`${r.name}\` | \`${r.type}\` | |`);
      for (const r of d.removed) out.push(`| removed | \`${r.name}\` | \`${r.type}\` | |`);
      for (const r of d.changed) {
        out.push(`| changed | \`${r.name}\` | \`${r.type}\` | ${r.changes.map(formatChange).join("<br>")} |`);
      }
    }
    if (d.outputs.length) out.push("", `Outputs: ${d.outputs.map(formatChange).join("; ")}`);
    const graph = changeGraph(d);
    if (graph) out.push("", "```mermaid", graph.trimEnd(), "```");
  }
  return out.join("\n") + "\n";
}

function formatChange(c: KeyChange): string {
  const key = `\`${cell(c.key)}\`: `;
  if (c.added || c.removed) {
    const label = (e: unknown) => (c.by && isObject(e) ? `\`${cell(String(e[c.by]))}\`` : value(e));
    const parts = [...(c.added ?? []).map((e) => `+ ${label(e)}`), ...(c.removed ?? []).map((e) => `− ${label(e)}`)];
    return key + (parts.length ? parts.join(", ") : "reordered");
  }
  if (typeof c.before === "string" && typeof c.after === "string" && (c.before.length > 60 || c.after.length > 60)) {
    return key + stringChange(c.before, c.after);
  }
  return key + `${value(c.before)} → ${value(c.after)}`;
}

/**
 * A long string shows what differs, not two truncated prefixes: the items added and removed of
 * a comma-separated list (such as CORS_ALLOWED_ORIGINS), else the differing middle with context.
 */
function stringChange(before: string, after: string): string {
  if (before.includes(",") && after.includes(",")) {
    const c = listChanges(before.split(","), after.split(","), [], "")[0]!;
    if (c.added!.length + c.removed!.length > 0) {
      return [...c.added!.map((e) => `+ ${value(e)}`), ...c.removed!.map((e) => `− ${value(e)}`)].join(", ");
    }
  }
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before.at(-1 - end) === after.at(-1 - end)) end++;
  const middle = (s: string) => {
    const from = Math.max(0, start - 10);
    const to = s.length - Math.max(0, end - 10);
    return (from > 0 ? "…" : "") + s.slice(from, to) + (to < s.length ? "…" : "");
  };
  return `${value(middle(before))} → ${value(middle(after))}`;
}

/** A short, table-safe rendering; secrets are already "[secret]" in a manifest and stay so. */
function value(v: unknown): string {
  if (v === undefined) return "(unset)";
  if (v === SECRET) return SECRET;
  const text = JSON.stringify(v);
  return `\`${cell(text.length > 60 ? text.slice(0, 57) + "..." : text)}\``;
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/`/g, "'").replace(/\n/g, " ");
}

/** The changed resources and their ancestors (for context), coloured by kind of change. */
function changeGraph(d: StackDiff): string | undefined {
  const touched = new Map<string, string>();
  for (const r of d.added) touched.set(r.urn, "added");
  for (const r of d.removed) touched.set(r.urn, "removed");
  for (const r of d.changed) touched.set(r.urn, "changed");
  if (touched.size === 0) return undefined;
  const merged: Manifest = {
    project: d.head?.project ?? d.base?.project ?? "",
    stack: d.stack,
    resources: [...(d.head?.resources ?? []), ...d.removed].sort((a, b) => a.urn.localeCompare(b.urn)),
    outputs: {},
  };
  const parents = new Map(merged.resources.map((r) => [r.urn, r.parent]));
  const only = new Set<string>();
  for (const urn of touched.keys()) {
    for (let u: string | null | undefined = urn; u && !only.has(u); u = parents.get(u)) only.add(u);
  }
  return formatMermaid(merged, only, {
    of: touched,
    defs: {
      added: "fill:#dafbe1,stroke:#1a7f37",
      removed: "fill:#ffebe9,stroke:#cf222e,stroke-dasharray:4 2",
      changed: "fill:#fff8c5,stroke:#9a6700",
    },
  });
}
