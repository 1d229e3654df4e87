import { formatUsd, type CostLine } from "../../cost/estimate";
import type { CostSection } from "../../cost/section";
import type { Manifest } from "../manifest";

const LEGEND = (c: CostSection) =>
  `≈ a price no first-party source confirms (cost/prices.ts, review by ${c.pricesReviewBy}); docs/cost.md says what is counted.`;

/** `--format cost`: resource, plan, $/month and notes, the stack total, the shared fees and the warnings. */
export function formatCost(m: Manifest): string {
  const c = m.cost;
  if (!c) return `${m.project}/${m.stack}: no cost estimate\n`;
  const row = (l: CostLine) => [l.resource, l.plan, formatUsd(l.cents, l.approx), l.notes.join("; ")];
  const rows = [["Resource", "Plan", "$/month", "Notes"], ...c.lines.map(row), ["Total", "", formatUsd(c.total.cents, c.total.approx), ""]];
  const shared = c.shared.map(row);
  const widths = [0, 1, 2].map((i) => Math.max(...[...rows, ...shared].map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  ").trimEnd();
  const out = [`${m.project}/${m.stack}: monthly cost estimate (USD)`, "", ...rows.map(line)];
  if (shared.length) out.push("", "Shared account fees (once per account across stacks, not in the total):", ...shared.map(line));
  out.push(...warningLines(c), "", LEGEND(c));
  return out.join("\n") + "\n";
}

/** The end of the `table` format: the stack total and the warnings. */
export function costFooter(m: Manifest): string[] {
  const c = m.cost;
  if (!c) return [];
  return ["", `Monthly cost: ${formatUsd(c.total.cents, c.total.approx)}${sharedNote(c)} (--format cost lists each resource)`, ...warningLines(c)];
}

/** The end of the `markdown` format. */
export function costFooterMarkdown(m: Manifest): string[] {
  const c = m.cost;
  if (!c) return [];
  return [
    "",
    `**Monthly cost:** ${formatUsd(c.total.cents, c.total.approx)}${sharedNote(c)}. ${LEGEND(c)}`,
    ...(c.warnings.length ? ["", ...c.warnings.map((w) => `> ⚠️ ${w.message}`)] : []),
  ];
}

function sharedNote(c: CostSection): string {
  const fees = c.shared.filter((s) => s.cents[1] > 0);
  return fees.length ? `, plus shared account fees: ${fees.map((s) => `${s.resource} ${formatUsd(s.cents, s.approx)}`).join(", ")}` : "";
}

function warningLines(c: CostSection): string[] {
  return c.warnings.length ? ["", "Warnings:", ...c.warnings.map((w) => `  ! ${w.message}`)] : [];
}
