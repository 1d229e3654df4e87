/**
 * The data of `webstack dashboard`: every stack's `status` report, its frontend's production
 * state on Vercel, its database, cache, bucket and cron, and the cost estimate and limits of
 * cost/, read from the same functions as `status`, `rollback` and the synth's cost section.
 * A stack that cannot be read carries the reason in one line; the others are unaffected.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { nextCronRun } from "../../components/cron-schedule";
import type { StackOutputs } from "../../components/stack-outputs";
import { estimateStack, formatUsd, sumLines, type CostLine } from "../../cost/estimate";
import { stackFacts, type StackFacts } from "../../cost/facts";
import { cronTriggerUse, freeHoursUse, type CronTriggerUse, type FreeHoursUse } from "../../cost/limits";
import type { StackConfig } from "../../config/schema";
import { startDeadline, type Deadline, type Ops } from "../context";
import { OpsError } from "../errors";
import { knownStacks, loadOutputs, runPulumi } from "../outputs";
import { renderClient } from "../render-api";
import { status, STATUS_TIMEOUT_MS, type StatusReport } from "../status";

export interface DashboardOptions {
  /** Stacks to show; none: every stack whose outputs can be read. */
  stacks: string[];
  /** `--outputs`: one outputs file (one stack), or a folder of `<stack>.json` files. */
  outputs?: string;
  /** Bounds each stack's reads of a refresh: health checks and API calls. Default 30 s, as `status`. */
  timeoutMs?: number;
}

export interface FrontendView {
  url?: string;
  projectId?: string;
  /** This stack owns the Vercel project's production target. */
  ownsProduction: boolean;
  /** The owning stack only, when Vercel could be asked: whether the production domains serve the newest production build (status's check). */
  production?: { pointsAtNewest: boolean; serving?: string; newest?: string; message?: string };
}

export interface DatabaseView {
  mode: "isolated" | "shared";
  /** The stack whose database it is (itself when isolated). */
  owner: string;
  renderPostgresId?: string;
  plan?: string;
  version?: string;
  state?: string;
  consumers: string[];
}

export interface ResourceView {
  /** Render Key Value id, or the bucket's name. */
  id: string;
  owner?: string;
  name?: string;
  plan?: string;
  state?: string;
}

export interface StackCost {
  lines: CostLine[];
  shared: CostLine[];
  total: string;
  totalCents: [number, number];
  approx: boolean;
}

export interface StackView {
  stack: string;
  /** Why the stack could not be read, in one line; nothing else is set then. */
  error?: string;
  environment?: string;
  status?: StatusReport;
  frontend?: FrontendView;
  database?: DatabaseView;
  cache?: ResourceView;
  bucket?: ResourceView;
  cron?: { script: string; jobs: string[]; schedules: { schedule: string; next?: string }[] };
  cost?: StackCost;
  /** One line per part that could not be read: an unreachable API, a missing credential, no config. */
  problems: string[];
}

export interface GraphNode {
  id: string;
  kind: "stack" | "database" | "cache" | "bucket" | "render-project" | "vercel-project";
  label: string;
  /** A stack node of a stack that could not be read. */
  unreadable?: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** `owns` or `uses`. */
  relation: "owns" | "uses";
  /** For people: "dev uses staging's database". */
  text: string;
}

export interface DashboardData {
  generatedAt: string;
  stacks: StackView[];
  cost: {
    total: string;
    totalCents: [number, number];
    /** The free-hours gauge of each Render workspace the stacks run in. */
    freeHours: FreeHoursUse[];
    cronTriggers: CronTriggerUse[];
    /** Account-level fees (Vercel team, Cloudflare account), once each; in the total. */
    shared: CostLine[];
  };
  graph: { nodes: GraphNode[]; edges: GraphEdge[] };
}

const short = (ref?: string) => ref?.split("/").pop() ?? "";
/** Without the keys whose value is undefined (the JSON has none). */
const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split("\n")[0]!;

/** The stacks to show: those named, else the outputs folder's files, else Pulumi's stacks of the project, else the checkout's stack files. */
export async function dashboardStacks(ops: Ops, opts: DashboardOptions): Promise<string[]> {
  if (opts.stacks.length) return opts.stacks.map((s) => short(s));
  const dir = opts.outputs ? resolve(ops.cwd, opts.outputs) : undefined;
  if (dir && existsSync(dir) && statSync(dir).isDirectory()) {
    return readdirSync(dir)
      .map((f) => /^(.+)\.json$/.exec(f)?.[1])
      .filter((s): s is string => !!s)
      .sort();
  }
  try {
    // Pull-request stacks have no stack file: Pulumi knows them.
    const listed = JSON.parse(await (ops.pulumi ?? runPulumi)(["stack", "ls", "--json"])) as { name?: string }[];
    const names = listed.map((s) => short(s.name)).filter(Boolean);
    if (names.length) return [...new Set(names)];
  } catch {
    // No Pulumi CLI or not logged in: the committed stack files name the stacks.
  }
  return knownStacks(ops.root).filter((s) => s !== "pr-<n>");
}

/** The outputs of one stack: from `--outputs DIR/<stack>.json`, `--outputs FILE`, or Pulumi. */
async function outputsOf(ops: Ops, stack: string, opts: DashboardOptions): Promise<StackOutputs> {
  if (!opts.outputs) return loadOutputs(ops, stack);
  const path = resolve(ops.cwd, opts.outputs);
  if (existsSync(path) && statSync(path).isDirectory()) {
    const file = join(path, `${stack}.json`);
    if (!existsSync(file)) throw new OpsError(`no outputs: ${join(opts.outputs, `${stack}.json`)} does not exist`, 2);
    return loadOutputs(ops, stack, file);
  }
  return loadOutputs(ops, stack, opts.outputs);
}

/** The stack's validated config, read from its stack file as the synth does (for the cost estimate and links). */
function configOf(ops: Ops, stack: string): Omit<StackConfig, "secrets"> {
  // Loaded on demand: the synth's stack-file reader (and its YAML parser) is needed by this command only.
  let synth: typeof import("../../synth/stack-file") & typeof import("../../synth/prepare");
  try {
    synth = { ...require("../../synth/stack-file"), ...require("../../synth/prepare") };
  } catch {
    throw new Error("the estimate reads the stack files with the synth's reader, which only a checkout of the project has");
  }
  const { readStackFile, prepareStack } = synth;
  const prepared = prepareStack(readStackFile(ops.root, stack));
  if (!prepared.ok) throw new Error(`its stack file is not valid: ${prepared.errors[0]}`);
  const { secrets: _secrets, ...config } = prepared.config;
  return config;
}

/** The frontend as `status` saw it: production pinned to an older build, or not (when Vercel was asked). */
function frontendOf(o: StackOutputs, report: StatusReport | undefined): FrontendView | undefined {
  if (!o.frontendUrl && !o.frontendProjectId) return undefined;
  const view: FrontendView = { url: o.frontendUrl, projectId: o.frontendProjectId, ownsProduction: !!o.frontendOwnsProduction };
  // status skips the check, with a note, when there is no Vercel credential.
  if (!o.frontendOwnsProduction || !report || report.notes.length) return view;
  const pin = report.productionPinned;
  view.production = pin ? { pointsAtNewest: false, serving: pin.serving, newest: pin.newest, message: pin.message } : { pointsAtNewest: true };
  return view;
}

async function renderDetails(ops: Ops, o: StackOutputs, config: Omit<StackConfig, "secrets"> | undefined, stack: string, d: Deadline, problems: string[]) {
  const out: { database?: DatabaseView; cache?: ResourceView } = {};
  if (o.databaseMode) {
    out.database = {
      mode: o.databaseMode,
      owner: o.databaseMode === "shared" ? short(o.databaseFrom) : stack,
      ...(o.renderPostgresId ? { renderPostgresId: o.renderPostgresId } : {}),
      consumers: Object.keys(o.databaseConsumers ?? {}),
    };
  }
  if (o.cacheId) {
    const owner = config?.cache ? (config.cache.mode === "shared" ? short(config.cache.from) : stack) : undefined;
    out.cache = { id: o.cacheId, ...(owner ? { owner } : {}) };
  }
  const reads: Promise<void>[] = [];
  const wanted = (out.database?.renderPostgresId && out.database.mode === "isolated") || out.cache;
  if (!wanted) return out;
  let client: ReturnType<typeof renderClient>;
  try {
    client = renderClient(ops.env, "reading Render's services, Postgres and Key Value", { clock: ops.clock, signal: d.signal });
  } catch (err) {
    problems.push(`Render: ${firstLine(err)}`);
    return out;
  }
  if (out.database?.renderPostgresId && out.database.mode === "isolated") {
    const db = out.database;
    reads.push(
      client.get<{ plan?: string; version?: string; status?: string }>(`/postgres/${db.renderPostgresId}`).then(
        (pg) => void Object.assign(db, defined({ plan: pg.plan, version: pg.version, state: pg.status })),
        (err) => void problems.push(`Render Postgres ${db.renderPostgresId}: ${firstLine(err)}`),
      ),
    );
  }
  if (out.cache && (!out.cache.owner || out.cache.owner === stack)) {
    const kv = out.cache;
    reads.push(
      client.get<{ name?: string; plan?: string; status?: string }>(`/key-value/${kv.id}`).then(
        (r) => void Object.assign(kv, defined({ name: r.name, plan: r.plan, state: r.status })),
        (err) => void problems.push(`Render Key Value ${kv.id}: ${firstLine(err)}`),
      ),
    );
  }
  await Promise.all(reads);
  return out;
}

function costOf(facts: StackFacts): StackCost {
  const e = estimateStack(facts);
  return { lines: e.lines, shared: e.shared, total: formatUsd(e.total.cents, e.total.approx), totalCents: e.total.cents, approx: e.total.approx };
}

interface Collected {
  view: StackView;
  outputs?: StackOutputs;
  config?: Omit<StackConfig, "secrets">;
  facts?: StackFacts;
}

async function collectStack(ops: Ops, stack: string, opts: DashboardOptions, ms: number): Promise<Collected> {
  // One deadline for everything read about the stack, as `status --timeout`.
  const d = startDeadline(ops.clock, ms);
  let o: StackOutputs;
  try {
    o = await outputsOf(ops, stack, opts);
  } catch (err) {
    return { view: { stack, error: firstLine(err), problems: [] } };
  }
  const problems: string[] = [];
  let config: Omit<StackConfig, "secrets"> | undefined;
  try {
    config = configOf(ops, stack);
  } catch (err) {
    problems.push(`No cost estimate: ${firstLine(err)}`);
  }
  const [report, details] = await Promise.all([
    // status names the API and the credential when one fails.
    status(ops, stack, o, d).catch((err) => {
      problems.push(firstLine(err));
      return undefined;
    }),
    renderDetails(ops, o, config, stack, d, problems),
  ]);
  if (report) problems.push(...report.notes);
  const frontend = frontendOf(o, report);
  const now = new Date(ops.clock.now());
  const jobs = o.cronJobs ?? config?.cron?.jobs.map((j) => j.name) ?? [];
  const view: StackView = {
    stack,
    environment: o.environment,
    ...(report ? { status: report } : {}),
    ...(frontend ? { frontend } : {}),
    ...details,
    ...(o.bucketName ? { bucket: { id: o.bucketName, ...(config?.storage ? { owner: config.storage.mode === "shared" ? short(config.storage.from) : stack } : {}) } } : {}),
    ...(o.cronScriptName
      ? {
          cron: {
            script: o.cronScriptName,
            jobs,
            schedules: (o.cronSchedules ?? []).map((schedule) => {
              const next = nextCronRun(schedule, now);
              return { schedule, ...(next ? { next: next.toISOString() } : {}) };
            }),
          },
        }
      : {}),
    // A missing credential once, though several reads needed it.
    problems: problems.filter((p, i) => {
      const unset = / ([A-Z_]+) is not set: /.exec(` ${p}`)?.[1];
      return !unset || problems.findIndex((q) => q.includes(`${unset} is not set: `)) === i;
    }),
  };
  const facts = config ? stackFacts(stack, config) : undefined;
  if (facts) view.cost = costOf(facts);
  return { view, outputs: o, config, facts };
}

/** Stacks and what they own or use: databases, caches, buckets, Render and Vercel projects. */
function graphOf(collected: Collected[]): DashboardData["graph"] {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const add = (n: GraphNode) => nodes.get(n.id) ?? (nodes.set(n.id, n), n);
  for (const c of collected) add({ id: `stack:${c.view.stack}`, kind: "stack", label: c.view.stack, ...(c.view.error ? { unreadable: true } : {}) });
  const link = (stack: string, owner: string | undefined, node: GraphNode, what: string) => {
    add(node);
    const relation = !owner || owner === stack ? "owns" : "uses";
    if (owner && owner !== stack && !nodes.has(`stack:${owner}`)) add({ id: `stack:${owner}`, kind: "stack", label: owner });
    edges.push({ from: `stack:${stack}`, to: node.id, relation, text: relation === "owns" ? `${stack} owns ${what}` : `${stack} uses ${owner}'s ${what}` });
  };
  for (const { view: v, outputs: o, config } of collected) {
    if (!o) continue;
    if (v.database) link(v.stack, v.database.owner, { id: `database:${v.database.owner}`, kind: "database", label: `${v.database.owner} database` }, "database");
    if (v.cache) {
      const owner = v.cache.owner ?? collected.find((c) => c.view.cache?.id === v.cache!.id && c.view.cache.owner)?.view.cache?.owner;
      link(v.stack, owner, { id: `cache:${v.cache.id}`, kind: "cache", label: owner ? `${owner} cache` : `cache ${v.cache.id}` }, "cache");
    }
    if (v.bucket) {
      const owner = v.bucket.owner;
      link(v.stack, owner, { id: `bucket:${v.bucket.id}`, kind: "bucket", label: `bucket ${v.bucket.id}` }, "bucket");
    }
    // A stack below production names the owner's project by id (plain config), never by reading it:
    // the owner is the shown stack whose outputs carry that id.
    const rp = config?.app.renderProject;
    const rpById = rp && "id" in rp && rp.id ? collected.find((c) => c.outputs?.renderProjectId === rp.id)?.view.stack : undefined;
    const rpOwner = o.renderProjectId ? v.stack : (rpById ?? (rp && "from" in rp && rp.from ? short(rp.from) : undefined));
    if (rpOwner) link(v.stack, rpOwner, { id: `render-project:${rpOwner}`, kind: "render-project", label: `Render project (${rpOwner})` }, "Render project");
    if (o.frontendProjectId) {
      const byId = collected.find((c) => c.outputs?.frontendOwnsProduction && c.outputs.frontendProjectId === o.frontendProjectId)?.view.stack;
      const owner = o.frontendOwnsProduction ? v.stack : (byId ?? (config?.frontend?.from ? short(config.frontend.from) : undefined));
      link(v.stack, owner, { id: `vercel-project:${o.frontendProjectId}`, kind: "vercel-project", label: `Vercel ${config?.frontend?.name ?? o.frontendProjectId}` }, "Vercel project");
    }
  }
  return { nodes: [...nodes.values()], edges };
}

/** Everything the page shows, for the given stacks. */
export async function dashboardData(ops: Ops, opts: DashboardOptions): Promise<DashboardData> {
  const ms = opts.timeoutMs ?? STATUS_TIMEOUT_MS;
  const stacks = await dashboardStacks(ops, opts);
  if (!stacks.length) throw new OpsError("no stacks to show: name them (webstack dashboard prod staging) or pass --outputs DIR with <stack>.json files", 2);
  const collected = await Promise.all(stacks.map((s) => collectStack(ops, s, opts, ms)));
  // Deployed stacks count once each (a pull-request stack is a real one here, not the template's estimate).
  const counted = collected.filter((c) => c.facts).map((c) => ({ facts: c.facts!, copies: 1 }));
  const shared = new Map<string, CostLine>();
  for (const c of collected) for (const l of c.view.cost?.shared ?? []) shared.set(l.shared ?? l.resource, l);
  // The stacks' own resources, plus each account-level fee once.
  const total = sumLines([...collected.flatMap((c) => (c.view.cost ? [{ cents: c.view.cost.totalCents, approx: c.view.cost.approx }] : [])), ...shared.values()]);
  return {
    generatedAt: new Date(ops.clock.now()).toISOString(),
    stacks: collected.map((c) => c.view),
    cost: {
      total: formatUsd(total.cents, total.approx),
      totalCents: total.cents,
      freeHours: freeHoursUse(counted),
      cronTriggers: cronTriggerUse(counted),
      shared: [...shared.values()],
    },
    graph: graphOf(collected),
  };
}
