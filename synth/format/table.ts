import type { Manifest, ManifestResource } from "../manifest";
import { costFooter } from "./cost";
import { childrenByParent, flags } from "./tree";

/** A readable tree: type, name and flags of every resource, then the stack outputs. */
export function formatTable(m: Manifest): string {
  const children = childrenByParent(m);
  const lines = [`${m.project}/${m.stack}: ${m.resources.length} resources`];
  const walk = (r: ManifestResource, prefix: string, last: boolean) => {
    const f = flags(r).filter((x) => x !== "component");
    lines.push(`${prefix}${last ? "└─ " : "├─ "}${r.type}  ${r.name}${f.length ? `  [${f.join(", ")}]` : ""}`);
    const kids = children.get(r.urn) ?? [];
    kids.forEach((k, i) => walk(k, prefix + (last ? "   " : "│  "), i === kids.length - 1));
  };
  const roots = children.get(null) ?? [];
  roots.forEach((r, i) => walk(r, "", i === roots.length - 1));
  const outputs = Object.entries(m.outputs);
  if (outputs.length) {
    lines.push("", "Outputs:");
    for (const [k, v] of outputs) lines.push(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  lines.push(...costFooter(m));
  return lines.join("\n") + "\n";
}
