/**
 * The dashboard as one self-contained HTML page: inline CSS, inline SVG, no script, no fonts,
 * images or styles from anywhere else, so it opens offline and from an artifact. Every state is
 * written out with an icon and a word; colour only repeats it. The connection picture is
 * hand-drawn SVG (two columns, a few paths): a charting library would add weight and a bundle
 * step for what is a dozen boxes and lines.
 */
import { formatDuration } from "../clock";
import type { StatusRow } from "../status";
import { formatUsd } from "../../cost/estimate";
import type { DashboardData, GraphEdge, GraphNode, StackView } from "./data";

const esc = (s: unknown) =>
  String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

type Tone = "ok" | "bad" | "warn" | "info";
const ICON: Record<Tone, string> = { ok: "✓", bad: "✕", warn: "!", info: "–" };

/** A state as a person reads it: icon and word, the colour only repeating them. */
function badge(tone: Tone, text: string): string {
  return `<span class="badge ${tone}"><span aria-hidden="true">${ICON[tone]}</span> ${esc(text)}</span>`;
}

/** A row's state as `status` judged it; `protected`: Vercel's login answered, the site itself was not checked. */
export function rowState(row: StatusRow): { tone: Tone; text: string } {
  if (row.protected) return { tone: "warn", text: "protected" };
  return row.up ? { tone: "ok", text: "up" } : { tone: "bad", text: "down" };
}

const FAILED = /failed|canceled/;
function deployCell(row: StatusRow, now: number): string {
  const d = row.deploy;
  if (!d) return "";
  const tone: Tone = d.status === "live" ? "ok" : FAILED.test(d.status) ? "bad" : d.status === "deactivated" ? "info" : "warn";
  const age = d.createdAt ? `${formatDuration(now - Date.parse(d.createdAt))} ago` : "";
  return `${badge(tone, d.status.replace(/_/g, " "))} ${d.commit ? `<code>${esc(d.commit)}</code>` : ""} <span class="muted">${esc(age)}</span>`;
}

const link = (url?: string) => (url ? `<a href="${esc(url)}">${esc(url.replace(/^https?:\/\//, ""))}</a>` : "");

function servicesTable(v: StackView, now: number): string {
  const rows = v.status?.rows ?? [];
  if (!rows.length) return "";
  const body = rows
    .map((r) => {
      const s = rowState(r);
      return (
        `<tr data-service="${esc(r.name)}" data-state="${s.text}">` +
        `<td data-label="State">${badge(s.tone, s.text)}</td>` +
        `<th scope="row" data-label="Service">${esc(r.kind === "frontend" ? "frontend" : r.name)}</th>` +
        `<td data-label="Health">${esc(s.text === "protected" ? `${r.health?.status ? `HTTP ${r.health.status}: ` : ""}behind Vercel's deployment protection` : (r.health?.answer ?? ""))}${r.note ? ` <span class="note">${esc(r.note)}</span>` : ""}</td>` +
        `<td data-label="Latency">${r.health ? `${r.health.latencyMs} ms` : ""}</td>` +
        `<td data-label="Newest deploy">${r.kind === "backend" ? deployCell(r, now) : ""}</td>` +
        `<td data-label="URL" class="url">${link(r.url)}</td></tr>`
      );
    })
    .join("");
  return `<table class="services"><caption>Services</caption><thead><tr><th scope="col">State</th><th scope="col">Service</th><th scope="col">Health</th><th scope="col">Latency</th><th scope="col">Newest deploy</th><th scope="col">URL</th></tr></thead><tbody>${body}</tbody></table>`;
}

function frontendPart(v: StackView): string {
  const f = v.frontend;
  if (!f) return "";
  const p = f.production;
  const domains = p
    ? p.pointsAtNewest
      ? badge("ok", "production domains serve the newest build")
      : `${badge("warn", "production domains serve an older build")} <span class="note">${esc(p.message ?? "")}</span>`
    : f.ownsProduction
      ? badge("info", "production deployments not read")
      : `<span class="muted">branch domain on ${esc(f.projectId ?? "the shared project")} (production belongs to its owner)</span>`;
  return `<p class="frontend" data-part="frontend"><strong>Frontend</strong> ${link(f.url)} ${domains}</p>`;
}

function resources(v: StackView): string {
  const items: string[] = [];
  const d = v.database;
  if (d) {
    const what = d.mode === "isolated" ? "own" : `shared, ${d.owner}'s`;
    const detail = [d.plan && `plan ${d.plan}`, d.version && `PostgreSQL ${d.version}`, d.state && `state ${d.state}`].filter(Boolean).join(", ");
    const consumers = d.consumers.length ? `; used by ${d.consumers.join(", ")}` : "";
    items.push(`<dt>Database</dt><dd data-part="database">${esc(`${what}${detail ? `: ${detail}` : ""}${consumers}`)}</dd>`);
  }
  for (const [label, r] of [["Cache", v.cache], ["Bucket", v.bucket]] as const) {
    if (!r) continue;
    const whose = r.owner && r.owner !== v.stack ? `${r.owner}'s ` : r.owner ? "own " : "";
    const detail = [r.name, r.plan && `plan ${r.plan}`, r.state && `state ${r.state}`].filter(Boolean).join(", ");
    items.push(`<dt>${label}</dt><dd data-part="${label.toLowerCase()}">${esc(`${whose}${r.id}${detail ? ` (${detail})` : ""}`)}</dd>`);
  }
  const pending = v.status?.pendingDomains ?? [];
  if (pending.length) items.push(`<dt>Pending domains</dt><dd data-part="pending-domains">${badge("warn", `waiting for DNS: ${pending.join(", ")}`)}</dd>`);
  return items.length ? `<dl class="resources">${items.join("")}</dl>` : "";
}

function cronPart(v: StackView): string {
  const c = v.cron;
  if (!c) return "";
  if (!c.schedules.length) return `<p data-part="cron"><strong>Cron</strong> ${esc(c.script)}: ${badge("info", "no schedules (disabled)")}</p>`;
  const rows = c.schedules
    .map((s) => `<tr><td><code>${esc(s.schedule)}</code></td><td>${s.next ? `<time datetime="${esc(s.next)}">${esc(s.next.replace("T", " ").replace(/:\d\d\.\d+Z$/, " UTC"))}</time>` : "unknown"}</td></tr>`)
    .join("");
  return `<table class="cron" data-part="cron"><caption>Cron Worker ${esc(c.script)}${c.jobs.length ? ` (jobs: ${esc(c.jobs.join(", "))})` : ""}</caption><thead><tr><th scope="col">Schedule (UTC)</th><th scope="col">Next run</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function costPart(v: StackView): string {
  const c = v.cost;
  if (!c) return "";
  const rows = c.lines.map((l) => `<tr><td>${esc(l.resource)}</td><td>${esc(l.plan)}</td><td class="num">${esc(formatUsd(l.cents, l.approx))}</td></tr>`).join("");
  return (
    `<details class="cost"><summary>Monthly estimate <strong data-part="stack-total">${esc(c.total)}</strong></summary>` +
    `<table><thead><tr><th scope="col">Resource</th><th scope="col">Plan</th><th scope="col" class="num">Per month</th></tr></thead><tbody>${rows}</tbody></table></details>`
  );
}

function stackSection(v: StackView, now: number): string {
  if (v.error) {
    return `<section class="stack unreadable" id="stack-${esc(v.stack)}" data-stack="${esc(v.stack)}"><h2>${esc(v.stack)} ${badge("bad", "not readable")}</h2><p class="problem" data-part="error"><span aria-hidden="true">⚠</span> ${esc(v.error)}</p></section>`;
  }
  const summary = stackBadge(v);
  const problems = v.problems.map((p) => `<li class="problem"><span aria-hidden="true">⚠</span> ${esc(p)}</li>`).join("");
  return (
    `<section class="stack" id="stack-${esc(v.stack)}" data-stack="${esc(v.stack)}">` +
    `<h2>${esc(v.stack)} <span class="muted">(${esc(v.environment)})</span> ${summary}</h2>` +
    (problems ? `<ul class="problems">${problems}</ul>` : "") +
    servicesTable(v, now) +
    frontendPart(v) +
    resources(v) +
    cronPart(v) +
    costPart(v) +
    `</section>`
  );
}

/** One line per stack at the top: its state, linking to its section. */
function overview(d: DashboardData): string {
  const items = d.stacks.map((v) => `<li><a href="#stack-${esc(v.stack)}">${esc(v.stack)}</a> ${stackBadge(v)}</li>`).join("");
  return `<nav aria-label="Stacks"><ul class="overview">${items}</ul></nav>`;
}

function stackBadge(v: StackView): string {
  if (v.error) return badge("bad", "not readable");
  const rows = v.status?.rows ?? [];
  const down = rows.filter((r) => rowState(r).tone === "bad").length;
  const failed = rows.filter((r) => r.deploy && FAILED.test(r.deploy.status)).length;
  if (!v.status) return badge("warn", "not checked");
  if (down) return badge("bad", `${down} down`);
  if (failed) return badge("warn", `up; ${failed} deploy${failed === 1 ? "" : "s"} failed`);
  if (v.status.productionPinned) return badge("warn", "up; production domains on an older build");
  if (rows.some((r) => r.protected)) return badge("warn", "up; frontend behind protection, not checked");
  return v.problems.length ? badge("warn", `up; ${v.problems.length} problem${v.problems.length === 1 ? "" : "s"}`) : badge("ok", "all up");
}

function gauge(label: string, used: number, limit: number, text: string, tone: Tone): string {
  const pct = Math.min(100, Math.round((used / Math.max(limit, 1)) * 100));
  return (
    `<div class="gauge ${tone}"><div class="gauge-label">${esc(label)}</div>` +
    `<svg viewBox="0 0 200 12" role="img" aria-label="${esc(`${used} of ${limit}`)}" preserveAspectRatio="none"><rect width="200" height="12" rx="3" class="track"/><rect width="${pct * 2}" height="12" rx="3" class="fill"/></svg>` +
    `<div>${badge(tone, text)}</div></div>`
  );
}

function costSummary(d: DashboardData): string {
  const hours = d.cost.freeHours
    .map((h) =>
      gauge(
        `Render workspace ${h.ownerId}: free instance-hours`,
        h.used,
        h.limit,
        h.day === undefined ? `${h.used} of ${h.limit} h a month: lasts the month` : `${h.used} of ${h.limit} h a month: runs out about day ${h.day}`,
        h.day === undefined ? "ok" : "bad",
      ),
    )
    .join("");
  const triggers = d.cost.cronTriggers
    .map((c) => gauge(`Cloudflare account ${c.accountId.slice(0, 8)}…: cron triggers (Workers ${c.plan})`, c.used, c.limit, `${c.used} of ${c.limit} cron triggers`, c.used > c.limit ? "bad" : "ok"))
    .join("");
  const shared = d.cost.shared.map((l) => `<li>${esc(l.resource)}: ${esc(l.plan)}, ${esc(formatUsd(l.cents, l.approx))}</li>`).join("");
  return (
    `<section id="cost" aria-labelledby="cost-h"><h2 id="cost-h">Cost and limits</h2>` +
    `<p class="total">Monthly estimate, all stacks shown: <strong data-part="total">${esc(d.cost.total)}</strong></p>` +
    (shared ? `<p class="muted">Account fees, counted once:</p><ul class="shared">${shared}</ul>` : "") +
    `<div class="gauges">${hours}${triggers}</div></section>`
  );
}

const KIND_LABEL: Record<GraphNode["kind"], string> = {
  stack: "stack",
  database: "database",
  cache: "cache",
  bucket: "bucket",
  "render-project": "Render project",
  "vercel-project": "Vercel project",
};

/** Stacks on the left, what they own or use on the right; solid lines own, dashed lines use. */
function connections(g: DashboardData["graph"]): string {
  const stacks = g.nodes.filter((n) => n.kind === "stack");
  const things = g.nodes.filter((n) => n.kind !== "stack");
  const rowH = 44;
  const h = Math.max(stacks.length, things.length) * rowH + 16;
  const pos = new Map<string, { x: number; y: number }>();
  const place = (list: GraphNode[], x: number) => {
    const offset = (h - list.length * rowH) / 2;
    list.forEach((n, i) => pos.set(n.id, { x, y: offset + i * rowH + 8 }));
  };
  place(stacks, 8);
  place(things, 262);
  const W = 160;
  const box = (n: GraphNode) => {
    const p = pos.get(n.id)!;
    const text = n.label.length > 22 ? `${n.label.slice(0, 21)}…` : n.label;
    return (
      `<g class="node ${n.kind}${n.unreadable ? " unreadable" : ""}" data-node="${esc(n.id)}"><title>${esc(`${KIND_LABEL[n.kind]}: ${n.label}${n.unreadable ? " (not readable)" : ""}`)}</title>` +
      `<rect x="${p.x}" y="${p.y}" width="${W}" height="32" rx="6"/>` +
      `<text x="${p.x + 10}" y="${p.y + 20}">${esc(n.unreadable ? `${text} ⚠` : text)}</text></g>`
    );
  };
  const edge = (e: GraphEdge) => {
    const a = pos.get(e.from)!;
    const b = pos.get(e.to)!;
    const [x1, y1, x2, y2] = [a.x + W, a.y + 16, b.x, b.y + 16];
    const mid = (x1 + x2) / 2;
    return `<path class="edge ${e.relation}" data-edge="${esc(`${e.from}->${e.to}`)}" d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 4},${y2}" marker-end="url(#arrow)"><title>${esc(e.text)}</title></path>`;
  };
  const list = g.edges.map((e) => `<li data-edge="${esc(`${e.from}->${e.to}`)}">${esc(e.text)}</li>`).join("");
  return (
    `<section id="map" aria-labelledby="map-h"><h2 id="map-h">How the stacks connect</h2>` +
    `<p class="legend"><svg width="40" height="10" aria-hidden="true"><line x1="0" y1="5" x2="40" y2="5" class="edge owns"/></svg> owns ` +
    `<svg width="40" height="10" aria-hidden="true"><line x1="0" y1="5" x2="40" y2="5" class="edge uses"/></svg> uses another stack's</p>` +
    `<svg class="graph" viewBox="0 0 430 ${h}" role="img" aria-labelledby="map-h"><defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L8,4 L0,8 z"/></marker></defs>` +
    g.edges.map(edge).join("") +
    g.nodes.map(box).join("") +
    `</svg><details><summary>The same as a list</summary><ul class="edges">${list}</ul></details></section>`
  );
}

const CSS = `
:root{color-scheme:light;--ok:#1a7f37;--bad:#c62828;--warn:#9a6700;--info:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;background:#fff}
header{padding:12px 20px;border-bottom:1px solid var(--line);background:var(--bg)}
header h1{font-size:20px;margin:0}
main{padding:12px 20px;max-width:1240px;margin:0 auto}
h2{font-size:17px;margin:0 0 8px;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
section{margin:0 0 18px}
.stack{border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.stack.unreadable{border-style:dashed}
.muted{color:var(--info);font-weight:normal}
.badge{display:inline-block;padding:0 8px;border-radius:10px;border:1px solid currentColor;font-size:13px;font-weight:600;max-width:100%}
.badge.ok{color:var(--ok)}.badge.bad{color:var(--bad);background:#ffebe9}.badge.warn{color:var(--warn);background:#fff8c5}.badge.info{color:var(--info)}
.problems{list-style:none;padding:0;margin:0 0 8px}
.problem{color:var(--bad);margin:2px 0}
table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:14px}
caption{text-align:left;font-weight:600;padding:2px 0}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:var(--info)}
td.num,th.num{text-align:right}
.url a{word-break:break-all}
.note{color:var(--info)}
td .note{display:block;font-size:12px;max-width:40ch}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
dl.resources{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0}
dt{font-weight:600}dd{margin:0}
.total{font-size:17px}
.overview{list-style:none;padding:0;margin:0 0 14px;display:flex;flex-wrap:wrap;gap:8px 18px}
.overview a{font-weight:600}
.pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:20px}
@media (max-width:1000px){.pair{grid-template-columns:minmax(0,1fr)}}
.gauges{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px}
.gauge{border:1px solid var(--line);border-radius:8px;padding:8px 10px}
.gauge svg{width:100%;height:12px;display:block;margin:6px 0}
.gauge .track{fill:#eaeef2}.gauge.ok .fill{fill:var(--ok)}.gauge.bad .fill{fill:var(--bad)}
svg.graph{width:100%;max-width:460px;height:auto;display:block}
.node rect{fill:#fff;stroke:#57606a;stroke-width:1.5}
.node.stack rect{fill:#ddf4ff}
.node.unreadable rect{stroke-dasharray:4 3;fill:#ffebe9}
.node text{font-size:13px;fill:#1f2328}
.edge{fill:none;stroke:#57606a;stroke-width:1.5}
.edge.uses{stroke-dasharray:6 4}
marker path{fill:#57606a}
.legend{font-size:13px;color:var(--info)}
@media (max-width:700px){
 main,header{padding:10px}
 table.services thead{display:none}
 table.services tr{display:block;border-bottom:1px solid var(--line);padding:6px 0}
 table.services td,table.services th{display:block;border:0;padding:1px 0}
 table.services td::before,table.services th::before{content:attr(data-label) ": ";color:var(--info);font-size:12px}
 table.services td:empty{display:none}
}
`;

export interface PageOptions {
  /** Seconds between reloads when served (`--serve`); none for a written file. */
  refreshSeconds?: number;
}

export function dashboardHtml(d: DashboardData, opts: PageOptions = {}): string {
  const now = Date.parse(d.generatedAt);
  const readable = d.stacks.filter((s) => !s.error).length;
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    // No request leaves the page: nothing but inline styles and images.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    (opts.refreshSeconds ? `<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : "") +
    `<title>webstack dashboard</title><style>${CSS}</style></head><body>` +
    `<header><h1>webstack dashboard</h1><p class="muted">${readable} of ${d.stacks.length} stacks read · generated <time datetime="${esc(d.generatedAt)}">${esc(d.generatedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC"))}</time>${opts.refreshSeconds ? ` · refreshes every ${opts.refreshSeconds} s` : ""}</p></header>` +
    `<main>${overview(d)}<div class="pair">${costSummary(d)}${connections(d.graph)}</div>${d.stacks.map((s) => stackSection(s, now)).join("")}</main></body></html>`
  );
}
