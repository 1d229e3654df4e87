import type { Manifest } from "../manifest";
import { costFooterMarkdown } from "./cost";
import { flags } from "./tree";

/** A table per stack, for a PR comment or a job summary. */
export function formatMarkdown(m: Manifest): string {
  const byUrn = new Map(m.resources.map((r) => [r.urn, r]));
  const lines = [
    `### ${m.project}/${m.stack}: ${m.resources.length} resources`,
    "",
    "| Resource | Type | Parent | Flags |",
    "| --- | --- | --- | --- |",
  ];
  for (const r of m.resources) {
    const parent = r.parent ? (byUrn.get(r.parent)?.name ?? "") : "";
    lines.push(`| \`${r.name}\` | \`${r.type}\` | ${parent ? `\`${parent}\`` : ""} | ${flags(r).join(", ")} |`);
  }
  const outputs = Object.entries(m.outputs);
  if (outputs.length) {
    lines.push("", "| Output | Value |", "| --- | --- |");
    for (const [k, v] of outputs) lines.push(`| \`${k}\` | \`${typeof v === "string" ? v : JSON.stringify(v)}\` |`);
  }
  lines.push(...costFooterMarkdown(m));
  return lines.join("\n") + "\n";
}
