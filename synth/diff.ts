import { formatMermaid } from "./format/mermaid";
import { SECRET, type Manifest, type ManifestResource } from "./manifest";

/** One changed value: an input path such as `envVars.LOG_LEVEL`, or an option such as `(protect)`. */
export interface KeyChange {
  key: string;
  before: unknown;
  after: unknown;
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

const OPTIONS = ["custom", "protect", "retainOnDelete", "dependsOn"] as const;

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

/** Leaf paths that differ; objects are walked key by key, arrays and scalars compared whole. */
function changedPaths(before: unknown, after: unknown, path: string[]): KeyChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => changedPaths(before[k], after[k], [...path, k]));
  }
  return equal(before, after) ? [] : [{ key: path.join(".") || "(value)", before, after }];
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
  return `\`${cell(c.key)}\`: ${value(c.before)} → ${value(c.after)}`;
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
