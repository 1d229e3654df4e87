import { budgetSchema } from "./budget";
import { FREE_ACTIVE_PROJECTS } from "../providers/supabase/facts";

type Issue = { path: (string | number)[]; message: string };

/** A free Supabase project a stack creates (`server: supabase`, plan free), and how many times it counts. */
export interface FreeProjectClaim {
  organization: string;
  /** The preview template counts once per expected open pull-request stack (webstack:budget.previewStacks). */
  copies: number;
}

/**
 * The free project a stack's config creates, if any. Reads unvalidated input too (another stack
 * file): anything that is not a free isolated Supabase database claims nothing.
 */
export function freeProjectClaim(raw: { environment?: unknown; database?: unknown; budget?: unknown }): FreeProjectClaim | undefined {
  const db = raw.database as { mode?: unknown; server?: unknown; supabase?: { organization?: unknown; plan?: unknown } } | undefined;
  if (db?.mode !== "isolated" || db.server !== "supabase" || typeof db.supabase?.organization !== "string") return undefined;
  if ((db.supabase.plan ?? "free") !== "free") return undefined;
  const budget = budgetSchema.safeParse(raw.budget ?? {});
  const copies = raw.environment === "preview" ? (budget.success ? budget.data.previewStacks : 3) : 1;
  return { organization: db.supabase.organization, copies };
}

/** Another stack's free project: its name and file, for the message. */
export interface OtherFreeProject extends FreeProjectClaim {
  stack: string;
  file: string;
}

/**
 * Supabase refuses a free organization's third active project (supabase-api.md §8). Counted across
 * this stack and every other stack file of the checkout, the preview template once per expected
 * open PR stack. Paused projects do not count for Supabase, but webstack counts every project a
 * stack declares: each must be active for its stack to work, and a paused one cannot be restored
 * while two others are active. Another admin's free projects in the org count too, which no file
 * shows: the create's refusal says so then.
 */
export function freeProjectIssues(raw: { environment?: unknown; database?: unknown; budget?: unknown }, others: readonly OtherFreeProject[]): Issue[] {
  const own = freeProjectClaim(raw);
  if (!own) return [];
  const same = others.filter((o) => o.organization === own.organization && o.copies > 0);
  const total = own.copies + same.reduce((n, o) => n + o.copies, 0);
  if (total <= FREE_ACTIVE_PROJECTS) return [];
  const times = (n: number) => (n !== 1 ? ` ×${n}` : "");
  const counted = [`this stack${times(own.copies)}`, ...same.map((o) => `${o.stack}${times(o.copies)} (${o.file})`)].join(", ");
  return [
    {
      path: ["database", "supabase", "plan"],
      message:
        `Supabase organization '${own.organization}' would hold ${total} active free projects (${counted}), but a free organization may have ` +
        `${FREE_ACTIVE_PROJECTS}: Supabase refuses the create of the next one` +
        `${own.copies > 1 ? " (the preview template counts once per open pull-request stack, webstack:budget.previewStacks)" : ""}. ` +
        "Share one project instead (webstack:database.mode: shared, listed in the owner's webstack:database.consumers), " +
        "or set webstack:database.supabase.plan: pro (and upgrade the organization)",
    },
  ];
}
