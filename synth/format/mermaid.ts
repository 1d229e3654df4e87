import type { Manifest } from "../manifest";

/**
 * A resource graph for a PR comment: solid edges from parent to child, dotted edges for
 * dependencies. `only` limits it to some URNs (and keeps their parents for context).
 * `classes` styles nodes: a class name per URN, each defined in `classes.defs` (name → mermaid style).
 */
export function formatMermaid(
  m: Manifest,
  only?: ReadonlySet<string>,
  classes?: { of: ReadonlyMap<string, string>; defs: Record<string, string> },
): string {
  const ids = new Map(m.resources.map((r, i) => [r.urn, `r${i}`]));
  const keep = (urn: string) => !only || only.has(urn);
  const lines = ["graph TD"];
  for (const r of m.resources) {
    if (!keep(r.urn)) continue;
    const shape = r.custom ? [`["`, `"]`] : [`(["`, `"])`];
    lines.push(`  ${ids.get(r.urn)}${shape[0]}${escape(r.name)}<br/><small>${escape(shortType(r.type))}</small>${shape[1]}`);
  }
  for (const r of m.resources) {
    if (!keep(r.urn)) continue;
    if (r.parent && ids.has(r.parent) && keep(r.parent)) lines.push(`  ${ids.get(r.parent)} --> ${ids.get(r.urn)}`);
    for (const d of r.dependsOn) {
      if (d !== r.parent && ids.has(d) && keep(d)) lines.push(`  ${ids.get(r.urn)} -.-> ${ids.get(d)}`);
    }
  }
  if (classes) {
    for (const [name, style] of Object.entries(classes.defs)) lines.push(`  classDef ${name} ${style}`);
    for (const r of m.resources) {
      const c = classes.of.get(r.urn);
      if (c && keep(r.urn)) lines.push(`  class ${ids.get(r.urn)} ${c}`);
    }
  }
  return lines.join("\n") + "\n";
}

function shortType(type: string): string {
  const [pkg, , name] = type.split(":");
  return `${pkg}:${name ?? type}`;
}

function escape(s: string): string {
  return s.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}
