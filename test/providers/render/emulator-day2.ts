/**
 * Render's day-2 routes for the emulator (render-day2.md §2-3), plugged into RenderEmulator's
 * router: service rollback (`POST /services/{id}/rollback` → 201 with a new deploy of trigger
 * `rollback`) and Postgres logical exports (`POST …/export` → 202 without a body; `GET …/export`
 * → a bare array whose newest item gains a `url` once ready). Deploy histories are seeded with
 * `seedDeploys`. What Render answers for an invalid rollback target is UNCONFIRMED: the
 * emulator answers 400 with a message, configurable per test.
 */
import { HttpError } from "./emulator-projects";
import type { RenderEmulator } from "./emulator";

type Json = any;

export interface Day2Options {
  /** Previous successful builds Render keeps (Free 2, Hobby 5, Pro 15). Default 5. */
  keptBuilds?: number;
  /** Status of a refused rollback (unconfirmed: 400 by default). */
  rollbackRefusal?: 400 | 404 | 409 | 422;
  /** Whether a free database may export (unconfirmed; refused by default). */
  freeExports?: boolean;
  /** GETs of the export list before a new export has its download URL. Default 1. */
  exportReadyAfter?: number;
}

const options = new WeakMap<RenderEmulator, Day2Options>();
let counter = 0;
const newId = (prefix: string) => `${prefix}-day2${(++counter).toString(36).padStart(4, "0")}emul8tor00`;

export function configureDay2(emu: RenderEmulator, opts: Day2Options): void {
  options.set(emu, opts);
}

export const SUCCESSFUL = ["live", "deactivated"];

export interface SeedDeploy {
  status: string;
  commit?: string;
  message?: string;
  /** Minutes before now it was created; defaults to 10 minutes per position. */
  minutesAgo?: number;
  trigger?: string;
}

/** Replaces a service's deploy history, newest first, as Render lists it. Returns the deploy ids. */
export function seedDeploys(emu: RenderEmulator, serviceId: string, deploys: SeedDeploy[], now = Date.now()): string[] {
  const rec = emu.services.get(serviceId);
  if (!rec) throw new Error(`no service ${serviceId}`);
  rec.deploys = deploys.map((d, i) => {
    const at = new Date(now - (d.minutesAgo ?? (i + 1) * 10) * 60_000).toISOString();
    return {
      id: newId("dep"),
      status: d.status,
      trigger: d.trigger ?? "new_commit",
      ...(d.commit ? { commit: { id: d.commit, message: d.message ?? `commit ${d.commit}`, createdAt: at } } : {}),
      createdAt: at,
      updatedAt: at,
      startedAt: at,
      ...(SUCCESSFUL.includes(d.status) || d.status.endsWith("failed") ? { finishedAt: at } : {}),
    };
  });
  return rec.deploys.map((d: Json) => d.id);
}

/** Answers a day-2 route, or undefined to let the main router go on. */
export function routeDay2(emu: RenderEmulator, method: string, seg: string[], _q: URLSearchParams, body: Json): [number, Json] | undefined {
  const opts = options.get(emu) ?? {};
  if (seg[0] === "services" && seg[2] === "rollback" && seg.length === 3 && method === "POST") {
    const rec = emu.services.get(seg[1]!);
    if (!rec) throw new HttpError(404, "service not found");
    if (typeof body?.deployId !== "string" || !body.deployId) throw new HttpError(400, "deployId is required");
    const deploys: Json[] = rec.deploys;
    const target = deploys.find((d) => d.id === body.deployId);
    if (!target) throw new HttpError(404, "deploy not found");
    const refuse = (message: string) => new HttpError(opts.rollbackRefusal ?? 400, message);
    if (!SUCCESSFUL.includes(target.status)) throw refuse(`deploy ${target.id} did not succeed (${target.status}); only a successful deploy can be rolled back to`);
    const current = deploys.find((d) => d.status === "live");
    if (current?.id === target.id) throw refuse(`deploy ${target.id} is the live deploy`);
    // Builds are kept for the most recent successful deploys only.
    const kept = deploys.filter((d) => SUCCESSFUL.includes(d.status) && d !== current).slice(0, opts.keptBuilds ?? 5);
    if (!kept.includes(target)) throw refuse(`the build of deploy ${target.id} is no longer available`);
    const now = new Date().toISOString();
    const dep = {
      id: newId("dep"),
      status: "created",
      trigger: "rollback",
      ...(target.commit ? { commit: target.commit } : {}),
      ...(target.image ? { image: target.image } : {}),
      createdAt: now,
      updatedAt: now,
    };
    deploys.unshift(dep);
    return [201, dep];
  }
  if (seg[0] === "postgres" && seg[2] === "export" && seg.length === 3) {
    const entry = emu.postgres.get(seg[1]!) as (Json & { exports?: Json[] }) | undefined;
    if (!entry) throw new HttpError(404, "postgres not found");
    entry.exports ??= [];
    if (method === "POST") {
      if (entry.pg.plan === "free" && !opts.freeExports) throw new HttpError(400, "exports are not available for free databases");
      entry.exports.unshift({ id: newId("exp"), createdAt: new Date().toISOString(), pending: opts.exportReadyAfter ?? 1 });
      return [202, undefined];
    }
    if (method === "GET") {
      const list = entry.exports.map((e: Json) => {
        if (e.pending > 0) {
          e.pending--;
          return { id: e.id, createdAt: e.createdAt };
        }
        return { id: e.id, createdAt: e.createdAt, url: `https://exports.render.test/${entry.pg.id}/${e.id}.dir.tar.gz` };
      });
      return [200, list];
    }
  }
  return undefined;
}
