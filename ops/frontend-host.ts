/**
 * The frontend's part of the day-2 commands behind one contract, chosen from the stack's
 * `frontendHost` output in one place (`frontendOps`). Netlify's implementation is here; Vercel's
 * still lives in rollback.ts, promote.ts and frontend.ts (to move behind this contract next).
 */
import type { StackOutputs } from "../components/stack-outputs";
import type { Ops } from "./context";
import { OpsError } from "./errors";
import { deployedBranches, getSite, lockDeploy, netlifyClient, productionDeploys, restoreDeploy, unlockDeploy, type NetlifyDeploy } from "./netlify-api";

/** Where the frontend's production would go, or why it cannot. */
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

export interface FrontendOps {
  host: "vercel" | "netlify";
  /** Plans the rollback of production; throws an OpsError naming why it cannot. */
  planRollback(): Promise<FrontendRollbackPlan>;
  /** Publishes the plan's target and keeps it there until promote. */
  rollback(plan: FrontendRollbackPlan): Promise<string>;
  /** Puts back what `rollback` moved: the deploy rolled away from, published and unlocked. */
  undoRollback(plan: FrontendRollbackPlan): Promise<void>;
  /** Publishes the newest production deploy and turns auto-publishing back on. */
  promote(): Promise<{ id: string; commit?: string }>;
  /** The published deploy and the branch deploys, for status and verify. */
  deployState(): Promise<FrontendDeployState>;
  /** What the operator must know after a rollback. */
  rollbackNote: string;
}

const ref = (d: NetlifyDeploy) => ({ id: d.id, ...(d.commit_ref ? { commit: d.commit_ref.slice(0, 7) } : {}) });

function netlifyOps(ops: Ops, o: StackOutputs, purpose: string): FrontendOps {
  const siteId = o.frontendProjectId!;
  const c = netlifyClient(ops.env, purpose);
  return {
    host: "netlify",
    async planRollback() {
      const site = await getSite(c, siteId);
      const current = site.published_deploy;
      if (!current) throw new OpsError(`frontend ${site.name}: Netlify has no published deploy`);
      const older = (await productionDeploys(c, siteId)).filter(
        (d) => d.id !== current.id && d.state === "ready" && Date.parse(d.created_at ?? "") < Date.parse(current.created_at ?? ""),
      );
      if (!older[0]) throw new OpsError(`frontend ${site.name}: no previous production deploy to roll back to (Netlify keeps deploys 30 days on Free, 90 on paid plans)`);
      return { name: `frontend ${site.name}`, from: ref(current), to: ref(older[0]) };
    },
    async rollback(plan) {
      // Restore publishes the old deploy; the lock keeps the next push from publishing over it.
      // Whether restore itself keeps or clears a lock is unconfirmed: lock afterwards either way.
      await restoreDeploy(c, siteId, plan.to.id);
      await lockDeploy(c, plan.to.id);
      const site = await getSite(c, siteId);
      if (site.published_deploy?.id !== plan.to.id || site.published_deploy?.locked !== true) {
        throw new OpsError(`frontend ${site.name}: Netlify publishes ${site.published_deploy?.id ?? "nothing"} (locked: ${site.published_deploy?.locked ?? false}) after restoring ${plan.to.id}`);
      }
      return "locked";
    },
    async undoRollback(plan) {
      await restoreDeploy(c, siteId, plan.from.id);
      const after = await getSite(c, siteId);
      if (after.published_deploy?.locked) await unlockDeploy(c, after.published_deploy.id);
    },
    async promote() {
      const site = await getSite(c, siteId);
      const newest = (await productionDeploys(c, siteId)).find((d) => d.state === "ready");
      if (!newest) throw new OpsError(`frontend ${site.name}: no ready production deploy to publish`);
      if (site.published_deploy?.locked) await unlockDeploy(c, site.published_deploy.id);
      if (site.published_deploy?.id !== newest.id) await restoreDeploy(c, siteId, newest.id);
      // Unlock again: a restore onto a locked site may carry the lock over (unconfirmed).
      const after = await getSite(c, siteId);
      if (after.published_deploy?.locked) await unlockDeploy(c, after.published_deploy.id);
      return ref(newest);
    },
    async deployState() {
      const [site, branches, deploys] = await Promise.all([getSite(c, siteId), deployedBranches(c, siteId), productionDeploys(c, siteId)]);
      const p = site.published_deploy;
      const publishedAt = Date.parse(p?.created_at ?? "");
      return {
        ...(p
          ? { published: { id: p.id, state: p.state, ...(p.commit_ref ? { commit: p.commit_ref.slice(0, 7) } : {}), locked: p.locked === true, ...(p.published_at ? { publishedAt: p.published_at } : {}) } }
          : {}),
        branches: branches.map((b) => ({ name: b.name, deployId: b.deploy_id, ...(b.ssl_url ? { url: b.ssl_url } : {}) })),
        waiting: p?.locked ? deploys.filter((d) => d.state === "ready" && Date.parse(d.created_at ?? "") > publishedAt).map((d) => d.id) : [],
      };
    },
    rollbackNote:
      "Netlify: auto-publishing is locked on the restored deploy: new production deploys still build, but wait unpublished until `webstack promote` publishes the newest one and unlocks it.",
  };
}

/** The frontend's day-2 operations for a stack's outputs, or undefined where this contract does not cover the host yet (Vercel). */
export function frontendOps(ops: Ops, o: StackOutputs, purpose: string): FrontendOps | undefined {
  if (!o.frontendProjectId) return undefined;
  return o.frontendHost === "netlify" ? netlifyOps(ops, o, purpose) : undefined;
}
