import { formatUsd, sumLines, type Cents, type CostLine } from "../cost/estimate";
import { copiesOf, limitWarnings } from "../cost/limits";
import type { CostSection } from "../cost/section";
import type { StackDiff } from "./diff";

/**
 * The cost part of the synth-diff comment: per stack the estimate before → after with the
 * delta and the resources that cause it, the total across stacks (pull-request stacks at their
 * expected count, account fees once), a pie of the cost per stack, and the free-plan and
 * account limits summed over every stack at head.
 */
export function formatCostDiff(diffs: readonly StackDiff[]): string[] {
  const out = ["", "### Monthly cost (estimate)", ""];
  out.push("| Stack | Before | After | Change |", "| --- | ---: | ---: | --- |");
  for (const d of diffs) {
    const [b, h] = [d.base?.cost, d.head?.cost];
    const times = h ? copiesOf(h.facts) : b ? copiesOf(b.facts) : 1;
    const label = `\`${d.stack}\`${times !== 1 ? ` (each of ${times} PR stacks)` : ""}`;
    const note = !d.head ? (d.base ? "stack removed" : "") : !d.base ? "new stack" : change(b, h);
    out.push(`| ${label} | ${total(b)} | ${total(h)} | ${note} |`);
  }
  const before = overall(diffs.map((d) => d.base?.cost));
  const after = overall(diffs.map((d) => d.head?.cost));
  out.push(`| **All stacks**, account fees once | ${before ? formatUsd(before.cents, before.approx) : "–"} | ${after ? formatUsd(after.cents, after.approx) : "–"} | ${before && after ? delta(before, after) : ""} |`);
  out.push("", "≈: a price no first-party source confirms (`cost/prices.ts`); each side is priced with its own table. See docs/cost.md.");

  const heads = diffs.map((d) => d.head?.cost).filter((c): c is CostSection => !!c);
  const slices = heads.map((c) => ({ label: `${c.facts.stack}${copiesOf(c.facts) !== 1 ? ` ×${copiesOf(c.facts)}` : ""}`, cents: c.total.cents[1] * copiesOf(c.facts) }));
  for (const fee of accountFees(heads)) slices.push({ label: `${fee.resource} (${fee.plan})`, cents: fee.cents[1] });
  const paid = slices.filter((s) => s.cents > 0);
  if (paid.length) {
    out.push("", "```mermaid", "pie showData title Monthly cost per stack at head (upper bound, USD)");
    for (const s of paid) out.push(`  "${s.label.replace(/"/g, "'")}" : ${(s.cents / 100).toFixed(2)}`);
    out.push("```");
    const free = slices.filter((s) => s.cents === 0).map((s) => s.label);
    if (free.length) out.push("", `$0.00 a month: ${free.join(", ")}.`);
  }

  const warnings = limitWarnings(heads.map((c) => ({ facts: c.facts, copies: copiesOf(c.facts) })));
  out.push("", "#### Free-plan and account limits, all stacks at head", "");
  if (!warnings.length) out.push("No free-plan or account limit is crossed.");
  warnings.forEach((w, i) => out.push(...(i ? [""] : []), `> ⚠️ ${w.message}`));
  return out;
}

function total(c: CostSection | undefined): string {
  return c ? formatUsd(c.total.cents, c.total.approx) : "–";
}

function change(b: CostSection | undefined, h: CostSection | undefined): string {
  if (!h) return "";
  if (!b) return "no estimate at base";
  const causes = causesOf(b.lines, h.lines);
  const same = b.total.cents[0] === h.total.cents[0] && b.total.cents[1] === h.total.cents[1];
  if (same && !causes.length) return "no change";
  return `${delta(b.total, h.total)}/month${causes.length ? `: ${causes.join(", ")}` : ""}`;
}

/** The resources added, removed or repriced between two estimates. */
function causesOf(before: readonly CostLine[], after: readonly CostLine[]): string[] {
  const old = new Map(before.map((l) => [l.resource, l]));
  const now = new Map(after.map((l) => [l.resource, l]));
  const out: string[] = [];
  for (const l of after) {
    const o = old.get(l.resource);
    if (!o) out.push(`\`${l.resource}\` (${l.plan})`);
    else if (o.plan !== l.plan || o.cents[0] !== l.cents[0] || o.cents[1] !== l.cents[1]) {
      out.push(`\`${l.resource}\` (${o.plan === l.plan ? l.plan : `${o.plan} → ${l.plan}`}${sameCents(o.cents, l.cents) ? "" : `, ${formatUsd(o.cents, o.approx)} → ${formatUsd(l.cents, l.approx)}`})`);
    }
  }
  for (const l of before) if (!now.has(l.resource)) out.push(`\`${l.resource}\` (${l.plan}) removed`);
  return out;
}

const sameCents = (a: Cents, b: Cents) => a[0] === b[0] && a[1] === b[1];

/** `+$7.00`, `−≈$7.00`, `+≈$0.00–$50.00`. */
function delta(b: { cents: Cents; approx: boolean }, h: { cents: Cents; approx: boolean }): string {
  const d: Cents = [h.cents[0] - b.cents[0], h.cents[1] - b.cents[1]];
  const sign = d[0] < 0 && d[1] <= 0 ? "−" : "+";
  const abs: Cents = sign === "−" ? [-d[1], -d[0]] : d;
  return sign + formatUsd(abs, b.approx || h.approx);
}

/** Every stack's total at its expected count, plus each account fee once. */
function overall(sections: readonly (CostSection | undefined)[]): { cents: Cents; approx: boolean } | undefined {
  const present = sections.filter((c): c is CostSection => !!c);
  if (!present.length) return undefined;
  const stacks = present.map((c) => ({ cents: [c.total.cents[0] * copiesOf(c.facts), c.total.cents[1] * copiesOf(c.facts)] as Cents, approx: c.total.approx }));
  return sumLines([...stacks, ...accountFees(present)]);
}

/** Account-level fees, once per account; where stacks disagree on the plan, the dearest. */
function accountFees(sections: readonly CostSection[]): CostLine[] {
  const fees = new Map<string, CostLine>();
  for (const c of sections) {
    for (const s of c.shared) {
      const seen = fees.get(s.shared!);
      if (!seen || s.cents[1] > seen.cents[1]) fees.set(s.shared!, s);
    }
  }
  return [...fees.values()];
}
