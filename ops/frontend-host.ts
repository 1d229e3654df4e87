/**
 * The frontend's part of the day-2 commands behind one contract, with one implementation per host
 * (Vercel, Netlify), chosen from the stack's `frontendHost` output here and nowhere else
 * (`frontendOps`). rollback, promote, status and verify call the contract; none asks which host it is.
 */
import type { StackOutputs } from "../components/stack-outputs";
import type { Deadline, Ops } from "./context";
import { formatDuration } from "./clock";
import { OpsError } from "./errors";
import { branchDeploys, deployedBranches, getDeploy, getSite, lockDeploy, netlifyClient, netlifyProblem, productionDeploys, restoreDeploy, unlockDeploy, type NetlifyDeploy } from "./netlify-api";
import { currentProduction, describeDeployment, staleProduction, vercelClient, vercelCredential, vercelProblem, type VercelClient, type VercelDeployment, type VercelProject } from "./vercel-api";

export type FrontendHostName = "vercel" | "netlify";

/** Where the frontend's production would go. */
export interface FrontendRollbackPlan {
  name: string;
  from: { id: string; commit?: string };
  to: { id: string; commit?: string };
}

export interface FrontendDeployState {
  /** The published production deploy. */
  published?: { id: string; state: string; commit?: string; locked: boolean; publishedAt?: string };
  /** The newest deploy of each branch. */
  branches: { name: string; deployId: string; url?: string }[];
  /** Production deploys newer than the published one, waiting because publishing is locked. */
  waiting: string[];
}

/** Production held on an older release than the newest production build (after a rollback): `webstack promote`, not a rollback. */
export interface FrontendPin {
  serving: string;
  newest: string;
  /** Vercel: whether new production builds get the domains. */
  autoAssign?: boolean;
  /** One line for people, naming the command that fixes it. */
  message: string;
}

export interface FrontendPromotion {
  from?: string;
  to: string;
  /** `succeeded`, `started` (not waited for), `failed`, or `unchanged`. */
  result: string;
  /** Auto-publishing (auto-assignment) was off and is on again. */
  autoAssignRestored: boolean;
}

export interface FrontendOps {
  host: FrontendHostName;
  /** Why status and verify cannot read the host (its credential is not set), or undefined. */
  unreadable(): string | undefined;
  /** One line for an API failure past retrying (deadline, unreachable, token refused), else undefined. */
  explain(err: unknown, what: string): OpsError | undefined;
  /** Plans the rollback of production: a plan, or why it need not (skip) or cannot (refuse) move. */
  planRollback(): Promise<{ plan: FrontendRollbackPlan } | { skip: string } | { refuse: string }>;
  /** Moves production to the plan's target; returns where it stands (`started`, `locked`). */
  rollback(plan: FrontendRollbackPlan): Promise<string>;
  /** Waits, bounded by the deadline, until the move landed; `failure` says why it did not. */
  waitRollback(plan: FrontendRollbackPlan): Promise<{ result: string; failure?: string }>;
  /** Puts back what `rollback` moved; returns the line saying so. */
  undoRollback(plan: FrontendRollbackPlan): Promise<string>;
  /** What the operator must know after a rollback. */
  rollbackNote(): string;
  /** For a stack attached to another's site: why rollback leaves its frontend alone. */
  attachedSkip: string;
  /** Serves the newest production build again and turns automatic publishing back on. */
  promote(opts: { wait?: boolean }): Promise<FrontendPromotion>;
  /** Production pinned to an older release (owner stacks), else undefined. */
  pinned(): Promise<FrontendPin | undefined>;
  /** verify: the deploy that should be live for this stack, followed until it is final; a failure names its state. */
  checkDeploy(): Promise<{ failure?: string; ok?: string }>;
  /** status: the published deploy and the branch deploys, where the host reports them. */
  deployState?(): Promise<FrontendDeployState>;
}

/** How a frontend move ended, for the rollback report. */
export function frontendLanding(host: FrontendHostName, result?: string): string {
  return host === "netlify" ? `published, auto-publishing ${result}` : `alias job ${result}`;
}

interface Context {
  ops: Ops;
  stack: string;
  o: StackOutputs;
  /** What the command does with the host, a verb (`rolling back`): each host names its own object for the missing-credential line. */
  purpose: string;
  d: Deadline;
  pollMs: number;
}

const IN_PROGRESS_NETLIFY = ["new", "pending_review", "accepted", "enqueued", "building", "uploading", "uploaded", "preparing", "prepared", "processing", "processed", "retrying"];
const nref = (d: NetlifyDeploy) => ({ id: d.id, ...(d.commit_ref ? { commit: d.commit_ref.slice(0, 7) } : {}) });
const ndescribe = (d: NetlifyDeploy) => `${d.id}${d.commit_ref ? ` (${d.commit_ref.slice(0, 7)})` : ""}`;

function netlifyOps({ ops, stack, o, purpose, d, pollMs }: Context): FrontendOps {
  const siteId = o.frontendProjectId!;
  let client: ReturnType<typeof netlifyClient> | undefined;
  const c = () => (client ??= netlifyClient(ops.env, `${purpose} the Netlify site's production deploys`, { clock: ops.clock, signal: d.signal }));

  /** Follows a deploy until it is `ready` or `error`, or the deadline is near. */
  async function follow(dep: NetlifyDeploy, name: string): Promise<NetlifyDeploy> {
    let cur = dep;
    let seen = "";
    while (IN_PROGRESS_NETLIFY.includes(cur.state)) {
      if (cur.state !== seen) ops.err(`${name}: Netlify deploy ${cur.id} ${cur.state}`);
      seen = cur.state;
      if (ops.clock.now() + pollMs >= d.at) return cur;
      await ops.clock.sleep(pollMs, d.signal);
      cur = await getDeploy(c(), cur.id);
    }
    return cur;
  }
  const failed = (name: string, dep: NetlifyDeploy, tail = "") =>
    IN_PROGRESS_NETLIFY.includes(dep.state)
      ? `${name}: Netlify deploy ${ndescribe(dep)} is still '${dep.state}' after ${formatDuration(d.timeoutMs)}${tail}`
      : `${name}: Netlify deploy ${ndescribe(dep)} is '${dep.state}'${dep.error_message ? `: ${dep.error_message}` : ""}${tail}`;

  return {
    host: "netlify",
    unreadable: () => (ops.env.NETLIFY_AUTH_TOKEN?.trim() ? undefined : "set NETLIFY_AUTH_TOKEN to read the frontend's Netlify deploys"),
    explain: (err, what) => netlifyProblem(ops.env, err, what, d.timeoutMs),
    async planRollback() {
      const site = await getSite(c(), siteId);
      const current = site.published_deploy;
      if (!current) return { refuse: `frontend ${site.name}: Netlify has no published deploy` };
      const older = (await productionDeploys(c(), siteId)).filter(
        (x) => x.id !== current.id && x.state === "ready" && Date.parse(x.created_at ?? "") < Date.parse(current.created_at ?? ""),
      );
      if (!older[0]) return { refuse: `frontend ${site.name}: no previous production deploy to roll back to (Netlify keeps deploys 30 days on Free, 90 on paid plans)` };
      return { plan: { name: `frontend ${site.name}`, from: nref(current), to: nref(older[0]) } };
    },
    async rollback(plan) {
      // Restore publishes the old deploy (atomic, no rebuild); the lock keeps the next push from
      // publishing over it. Whether restore itself keeps or clears a lock is unconfirmed: lock afterwards either way.
      await restoreDeploy(c(), siteId, plan.to.id);
      await lockDeploy(c(), plan.to.id);
      const site = await getSite(c(), siteId);
      if (site.published_deploy?.id !== plan.to.id || site.published_deploy?.locked !== true) {
        throw new OpsError(`frontend ${site.name}: Netlify publishes ${site.published_deploy?.id ?? "nothing"} (locked: ${site.published_deploy?.locked ?? false}) after restoring ${plan.to.id}`);
      }
      return "locked";
    },
    waitRollback: async () => ({ result: "locked" }),
    async undoRollback(plan) {
      await restoreDeploy(c(), siteId, plan.from.id);
      const after = await getSite(c(), siteId);
      if (after.published_deploy?.locked) await unlockDeploy(c(), after.published_deploy.id);
      return `${plan.name}: ${plan.from.id} published again, auto-publishing unlocked`;
    },
    rollbackNote: () =>
      "Netlify: auto-publishing is locked on the restored deploy: new production deploys still build, but wait unpublished until `webstack promote` publishes the newest one and unlocks it.",
    attachedSkip: "frontend: this stack's frontend is a branch of another stack's Netlify site; rollback moves only production (redeploy the branch instead)",
    async promote() {
      const site = await getSite(c(), siteId);
      const before = site.published_deploy;
      const newest = (await productionDeploys(c(), siteId)).find((x) => x.state === "ready");
      if (!newest) throw new OpsError(`frontend ${site.name}: no ready production deploy to publish`);
      if (before?.locked) await unlockDeploy(c(), before.id);
      if (before?.id !== newest.id) await restoreDeploy(c(), siteId, newest.id);
      // Unlock again: a restore onto a locked site may carry the lock over (unconfirmed).
      const after = await getSite(c(), siteId);
      if (after.published_deploy?.locked) await unlockDeploy(c(), after.published_deploy.id);
      return { ...(before ? { from: before.id } : {}), to: newest.id, result: before?.id === newest.id && !before.locked ? "unchanged" : "succeeded", autoAssignRestored: !!before?.locked };
    },
    async pinned() {
      if (!o.frontendOwnsProduction) return undefined;
      const [site, deploys] = await Promise.all([getSite(c(), siteId), productionDeploys(c(), siteId)]);
      const p = site.published_deploy;
      if (!p?.locked) return undefined;
      const waiting = deploys.filter((x) => x.state === "ready" && Date.parse(x.created_at ?? "") > Date.parse(p.created_at ?? ""));
      if (!waiting[0]) return undefined;
      return {
        serving: p.id,
        newest: waiting[0].id,
        autoAssign: false,
        message: `frontend: production serves ${ndescribe(p)}, locked by a rollback; ${waiting.length} newer production deploy(s) wait unpublished, the newest ${ndescribe(waiting[0])}; run \`webstack promote ${stack}\` to publish the newest and unlock auto-publishing`,
      };
    },
    async checkDeploy() {
      const site = await getSite(c(), siteId);
      const name = `frontend ${site.name}`;
      if (o.frontendOwnsProduction) {
        const p = site.published_deploy;
        if (!p) return { failure: `${name}: Netlify has published no production deploy` };
        if (p.state !== "ready") return { failure: failed(name, p, " (the published deploy)") };
        // A newer production deploy that failed leaves the old release published: the release did not land.
        const newer = (await productionDeploys(c(), siteId)).filter((x) => x.id !== p.id && Date.parse(x.created_at ?? "") > Date.parse(p.created_at ?? ""));
        if (newer[0]) {
          const last = await follow(newer[0], name);
          if (last.state !== "ready") return { failure: failed(name, last, `; production still serves ${ndescribe(p)}`) };
        }
        return { ok: `${name}: Netlify publishes ${ndescribe(p)}${p.locked ? " (locked)" : ""}` };
      }
      const branch = o.frontendBranch;
      if (!branch) return {};
      const newest = (await branchDeploys(c(), siteId, branch))[0];
      if (!newest) return { failure: `${name}: Netlify has no deploy of branch '${branch}' (CI deploys it with --alias ${branch})` };
      const last = await follow(newest, name);
      return last.state === "ready" ? { ok: `${name}: branch '${branch}' deploy ${ndescribe(last)} is ready` } : { failure: failed(name, last, ` (branch '${branch}')`) };
    },
    async deployState() {
      const [site, branches, deploys] = await Promise.all([getSite(c(), siteId), deployedBranches(c(), siteId), productionDeploys(c(), siteId)]);
      const p = site.published_deploy;
      const publishedAt = Date.parse(p?.created_at ?? "");
      return {
        ...(p
          ? { published: { id: p.id, state: p.state, ...(p.commit_ref ? { commit: p.commit_ref.slice(0, 7) } : {}), locked: p.locked === true, ...(p.published_at ? { publishedAt: p.published_at } : {}) } }
          : {}),
        branches: branches.map((b) => ({ name: b.name, deployId: b.deploy_id, ...(b.ssl_url ? { url: b.ssl_url } : {}) })),
        waiting: p?.locked ? deploys.filter((x) => x.state === "ready" && Date.parse(x.created_at ?? "") > publishedAt).map((x) => x.id) : [],
      };
    },
  };
}

const sha = (x: VercelDeployment) => x.meta?.githubCommitSha;
const vref = (x: VercelDeployment) => ({ id: x.uid, ...(sha(x) ? { commit: sha(x)!.slice(0, 7) } : {}) });

/** Where Vercel's production would go, or why it cannot or need not. */
export function planVercel(name: string, project: VercelProject, deployments: VercelDeployment[], plan: "hobby" | "pro"): { from?: VercelDeployment; to?: VercelDeployment; refuse?: string; skip?: string } {
  const current = currentProduction(project, deployments);
  if (!current) return { refuse: `${name}: Vercel lists no production deployment` };
  const alias = project.lastAliasRequest;
  if (alias?.type === "rollback" && alias.toDeploymentId === current.uid && project.autoAssignCustomDomains === false) {
    const away = deployments.find((x) => x.uid === alias.fromDeploymentId);
    return {
      skip: `${name}: already rolled back (production serves ${describeDeployment(current)}${away ? `, rolled back from ${describeDeployment(away)}` : ""}); nothing moved. Serve the newest build again with \`webstack promote\``,
    };
  }
  // Only a request that put the current deployment there says what was rolled away from; an older one is stale.
  const away = alias?.type === "rollback" && alias.toDeploymentId === current.uid ? alias.fromDeploymentId : undefined;
  const earlier = deployments.filter((x) => x.created < current.created);
  const target = earlier.find((x) => x.isRollbackCandidate !== false && x.uid !== away && !(sha(x) && sha(x) === sha(current)));
  if (!target) return { refuse: `${name}: no earlier production deployment with another commit than ${describeDeployment(current)} to roll back to` };
  // Hobby: only the immediately previous production deployment (vercel-cloudflare-day2.md §1).
  const previous = earlier[0];
  if (plan === "hobby" && previous && target.uid !== previous.uid) {
    return {
      refuse:
        `${name}: Vercel Hobby rolls back only to the previous production deployment ${describeDeployment(previous)}, which ${previous.uid === away ? "is the release rolled away from" : previous.isRollbackCandidate === false ? "Vercel does not offer as a rollback target" : `runs the same commit as ${describeDeployment(current)}`}; ` +
        `the last other commit is ${describeDeployment(target)}. Roll back to it on a Pro plan (webstack:frontend.plan: pro), or redeploy that commit`,
    };
  }
  return { from: current, to: target };
}

/**
 * Follows the alias job of the request just made: a `lastAliasRequest` about another deployment
 * (an older request Vercel still shows) is not this one's answer.
 */
async function waitAlias(ops: Ops, vercel: VercelClient, projectId: string, deploymentId: string, name: string, d: Deadline, pollMs: number): Promise<string> {
  let last = "";
  for (;;) {
    const p = await vercel.project(projectId);
    const alias = p.lastAliasRequest;
    const mine = alias?.toDeploymentId === deploymentId;
    const status = mine ? (alias?.jobStatus ?? "pending") : p.targets?.production?.id === deploymentId ? "succeeded" : "pending";
    if (status !== last) ops.err(`${name}: alias job to ${deploymentId} ${status}${mine ? "" : " (Vercel does not list the request yet)"}`);
    last = status;
    if (status !== "pending" && status !== "in-progress") return status;
    if (ops.clock.now() + pollMs > d.at) return status;
    await ops.clock.sleep(pollMs, d.signal);
  }
}

function vercelOps({ ops, stack, o, purpose, d, pollMs }: Context): FrontendOps {
  const projectId = o.frontendProjectId!;
  let client: VercelClient | undefined;
  const v = () => (client ??= vercelClient(ops.env, ops.clock, o.frontendTeamId, `${purpose} the Vercel production deployment`, { signal: d.signal }));
  const credential = vercelCredential(ops.env);
  const where = { credential, base: (ops.env.VERCEL_API_URL ?? "https://api.vercel.com").replace(/\/+$/, "") };

  return {
    host: "vercel",
    unreadable: () => (ops.env[credential]?.trim() ? undefined : "set VERCEL_API_TOKEN to check which deployment the production domains serve"),
    explain: (err, what) => vercelProblem(where, err, what, d.timeoutMs),
    async planRollback() {
      const [deployments, project] = await Promise.all([v().productionDeployments(projectId, 50), v().project(projectId)]);
      const name = `frontend ${project.name}`;
      const p = planVercel(name, project, deployments, o.frontendPlan === "pro" ? "pro" : "hobby");
      if (p.skip) return { skip: p.skip };
      if (p.refuse) return { refuse: p.refuse };
      return { plan: { name, from: vref(p.from!), to: vref(p.to!) } };
    },
    async rollback(plan) {
      await v().rollback(projectId, plan.to.id, `webstack rollback ${stack}`);
      return "started";
    },
    async waitRollback(plan) {
      const result = await waitAlias(ops, v(), projectId, plan.to.id, plan.name, d, pollMs);
      if (result === "succeeded") return { result };
      return {
        result,
        failure: `${plan.name}: Vercel's alias job to ${plan.to.id} ${result === "pending" || result === "in-progress" ? `is still ${result} after ${formatDuration(d.timeoutMs)}` : `ended '${result}'`}`,
      };
    },
    async undoRollback(plan) {
      // Undo Rollback is a promote of the deployment rolled away from; it also turns auto-assignment back on.
      await v().promote(projectId, plan.from.id);
      return `${plan.name}: ${plan.from.id} promoted back to production`;
    },
    rollbackNote: () =>
      `Vercel: after a rollback, new production deployments no longer get the production domains (auto-assignment is off) until one is promoted: \`webstack promote ${stack}\` serves the newest build again; status and verify say so meanwhile.`,
    attachedSkip: "frontend: this stack's frontend is a branch of another stack's Vercel project; instant rollback moves only production (redeploy the branch instead)",
    async promote({ wait }) {
      const [project, deployments] = await Promise.all([v().project(projectId), v().productionDeployments(projectId)]);
      const serving = currentProduction(project, deployments);
      const newest = deployments[0];
      if (!newest) throw new OpsError(`promote ${stack}: Vercel lists no READY production deployment to promote`);
      const off = project.autoAssignCustomDomains === false;
      if (serving?.uid === newest.uid) {
        // Serving the newest already (it was promoted once): only the switch is left; a second promote is refused.
        if (off) await v().setAutoAssign(projectId, true);
        return { from: serving.uid, to: newest.uid, result: off ? "succeeded" : "unchanged", autoAssignRestored: off };
      }
      ops.err(`frontend ${project.name}: promoting ${describeDeployment(newest)} (production serves ${serving ? describeDeployment(serving) : "nothing known"})`);
      await v().promote(projectId, newest.uid);
      const result = wait === false ? "started" : await waitAlias(ops, v(), projectId, newest.uid, `frontend ${project.name}`, d, pollMs);
      return { ...(serving ? { from: serving.uid } : {}), to: newest.uid, result, autoAssignRestored: off };
    },
    async pinned() {
      if (!o.frontendOwnsProduction) return undefined;
      const [project, deployments] = await Promise.all([v().project(projectId), v().productionDeployments(projectId)]);
      const stale = staleProduction(project, deployments, ops.clock.now());
      if (!stale) return undefined;
      const why = project.autoAssignCustomDomains === false ? "auto-assignment of production domains is off (a rollback turns it off)" : "they were not moved to it";
      return {
        serving: stale.serving.uid,
        newest: stale.newest.uid,
        autoAssign: project.autoAssignCustomDomains,
        message: `frontend: production domains serve ${describeDeployment(stale.serving)}, older than the newest production build ${describeDeployment(stale.newest)}: ${why}; run \`webstack promote ${stack}\` to serve the newest build and turn auto-assignment back on`,
      };
    },
    // Vercel builds every push itself; whether production serves the newest build is `pinned`.
    checkDeploy: async () => ({}),
  };
}

const HOSTS: Record<FrontendHostName, (c: Context) => FrontendOps> = { vercel: vercelOps, netlify: netlifyOps };

/**
 * The frontend's day-2 operations for a stack's outputs (the one place the host is chosen), or
 * undefined when the stack has no frontend. Clients are made on first use, so a command that
 * never reaches the host never needs its credential.
 */
export function frontendOps(ops: Ops, stack: string, o: StackOutputs, purpose: string, d: Deadline, opts: { pollMs?: number } = {}): FrontendOps | undefined {
  if (!o.frontendProjectId) return undefined;
  return HOSTS[o.frontendHost ?? "vercel"]({ ops, stack, o, purpose, d, pollMs: opts.pollMs ?? 3_000 });
}
