import { checkJobs, firesAtLeastEvery } from "../components/cron-schedule";
import type { BudgetConfig } from "../config/budget";
import { renderPostgresSchema } from "../config/database";
import { netlifySettings } from "../config/frontend";
import type { Environment } from "../config/environment";
import { cloudName } from "../config/naming";
import { storageEnabled } from "../config/storage";
import type { StackConfig } from "../config/schema";

/** A Render web service as index.ts registers it: the inputs that set its price. */
export interface ServiceFacts {
  name: string;
  plan: string;
  /** Instance count: `[n, n]`, or autoscaling's `[min, max]`. */
  instances: [number, number];
  diskGB?: number;
  /** Called at least every 15 minutes (the keep-alive ping or any enabled job), so a free service never sleeps. */
  keptAwake: boolean;
  /** The developer branch service of this name. */
  branch?: string;
}

/** What the estimate and the limits need to know about one stack; JSON, so it travels in the manifest. */
export interface StackFacts {
  stack: string;
  environment: Environment;
  renderOwnerId: string;
  /** The Render workspace's plan (`app.renderWorkspacePlan`), billed once per workspace. */
  renderWorkspacePlan: string;
  services: ServiceFacts[];
  postgres?: { name: string; plan: string; diskSizeGB?: number };
  /** The stack's own Render Key Value (a shared one is the owner's to pay). */
  keyValue?: { name: string; plan: string };
  /** The stack's own R2 bucket: billed on use only. */
  bucket?: { name: string };
  /** The stack's own Supabase project (`server: supabase`). */
  supabase?: { name: string; organization: string; plan: string; instanceSize: string; ipv4: boolean };
  /** Owner stack (`org/project/stack`) of a shared database. */
  databaseFrom?: string;
  vercel?: { scope: string; plan: string };
  /** The Netlify team the frontend's site lives in, and its plan. */
  netlify?: { scope: string; plan: string };
  workers?: { accountId: string; plan: string; scriptName: string; triggers: number };
  budget: BudgetConfig;
}

/**
 * The priced inputs of the resources index.ts registers for a validated config, named as it
 * names them; test/cost checks them against every stack's synth.
 */
export function stackFacts(stack: string, config: Omit<StackConfig, "secrets">): StackFacts {
  const name = (part: string) => cloudName(config.app.name, stack, part);
  const b = config.backend;
  const cron = config.cron && b ? config.cron : undefined;
  const cronEnabled = cron ? (cron.enabled ?? config.environment !== "preview") : false;
  // Any job that calls the main service at least every 15 minutes keeps it awake, not only keep-alive.
  const calledOften = !!cron && cronEnabled && (cron.keepAlive || cron.jobs.some((j) => firesAtLeastEvery(j.schedule)));
  const services: ServiceFacts[] = b
    ? [
        {
          name: name(b.name),
          plan: b.plan,
          instances: b.autoscaling ? [b.autoscaling.min, b.autoscaling.max] : [b.instances ?? 1, b.instances ?? 1],
          ...(b.disk ? { diskGB: b.disk.sizeGB } : {}),
          keptAwake: calledOften,
        },
        // Branch services: one instance, no disk, never pinged (web-service.ts).
        ...b.branches.map((br) => ({ name: `${name(b.name)}-${br.name}`, plan: b.plan, instances: [1, 1] as [number, number], keptAwake: false, branch: br.name })),
      ]
    : [];
  const db = config.database;
  const pg = db?.mode === "isolated" && db.server === "render" ? (db.render ?? renderPostgresSchema.parse({})) : undefined;
  return {
    stack,
    environment: config.environment,
    renderOwnerId: config.app.renderOwnerId,
    renderWorkspacePlan: config.app.renderWorkspacePlan,
    services,
    ...(pg ? { postgres: { name: name("db"), plan: pg.plan, ...(pg.diskSizeGB !== undefined ? { diskSizeGB: pg.diskSizeGB } : {}) } } : {}),
    ...(db?.mode === "isolated" && db.server === "supabase" && db.supabase
      ? {
          supabase: {
            name: name("db"),
            organization: db.supabase.organization,
            plan: db.supabase.plan,
            instanceSize: db.supabase.instanceSize ?? (db.supabase.plan === "free" ? "nano" : "micro"),
            ipv4: db.supabase.ipv4,
          },
        }
      : {}),
    ...(db?.mode === "shared" ? { databaseFrom: db.from } : {}),
    ...(config.cache?.mode === "own" ? { keyValue: { name: name("cache"), plan: config.cache.plan } } : {}),
    ...(config.storage?.mode === "own" && storageEnabled(config) ? { bucket: { name: name("files") } } : {}),
    ...(config.frontend?.host === "netlify"
      ? { netlify: { scope: config.frontend.scope, plan: netlifySettings(config.frontend).plan } }
      : config.frontend
        ? { vercel: { scope: config.frontend.scope, plan: config.frontend.plan } }
        : {}),
    ...(cron
      ? {
          workers: {
            accountId: cron.accountId,
            plan: cron.plan,
            scriptName: name("cron"),
            // A disabled Worker keeps an empty trigger (cron-trigger.ts): it holds no schedule.
            triggers: cronEnabled ? checkJobs(cron.jobs, { keepAlive: cron.keepAlive }).schedules.length : 0,
          },
        }
      : {}),
    budget: config.budget,
  };
}
