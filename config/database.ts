import { z } from "zod";
import { allowProductionData, oneOf, productionSharingGuard, slug, stackRef } from "./common";
import { renderRegions } from "./backend";
import { PRICES } from "../cost/prices";
import { INSTANCE_SIZES, REGIONS as SUPABASE_REGIONS } from "../providers/supabase/facts";

export const renderPostgresVersions = ["13", "14", "15", "16", "17", "18"] as const;

/** Render Postgres settings; `renderPostgresSchema.parse({})` gives the defaults. */
export const renderPostgresSchema = z
  .object({
    plan: z
      .string()
      .regex(/^[a-z0-9_]+$/, "expected a Render Postgres plan such as 'basic_256mb'")
      // Never a silent $0: a plan the estimate cannot price is refused until cost/prices.ts has it.
      .refine((plan) => Object.hasOwn(PRICES.render.postgres, plan), {
        error: (iss) =>
          `'${String(iss.input)}' has no price in cost/prices.ts (priced: ${Object.keys(PRICES.render.postgres).join(", ")}); ` +
          "add it there with its source, or choose a priced plan",
      })
      .default("basic_256mb")
      .describe("Render Postgres plan, e.g. 'basic_256mb' or 'basic_1gb'; it must have a price in cost/prices.ts."),
    // YAML reads an unquoted `version: 16` as a number.
    version: z
      .preprocess((v) => (typeof v === "number" ? String(v) : v), oneOf(renderPostgresVersions))
      .default("16")
      .describe("PostgreSQL major version, e.g. 16 (quoted or not)."),
    region: oneOf(renderRegions).default("oregon").describe("Render region; put it next to the backend."),
    diskSizeGB: z
      .number()
      .int()
      .min(1)
      .refine((gb) => gb === 1 || gb % PRICES.limits.renderPostgresDiskStepGB.value === 0, {
        error: (iss) => `${String(iss.input)} GB is not a size Render takes: 1, or a multiple of ${PRICES.limits.renderPostgresDiskStepGB.value} (e.g. 15)`,
      })
      .optional()
      .describe("Disk size in GB: 1 or a multiple of 5; Render's plan default when omitted (15 on basic plans, 100 on pro, 250 on accelerated)."),
  })
  .strict();

/** A Supabase project for the stack's database (`server: supabase`): one project per data-owning stack. */
export const supabaseSchema = z
  .object({
    organization: z
      .string()
      .regex(/^[\w-]+$/, "expected an organization slug such as 'acme-corp' (GET /v1/organizations)")
      .describe("Supabase organization slug the project belongs to, e.g. 'acme-corp'."),
    plan: oneOf(["free", "pro", "team"])
      .default("free")
      .describe("The organization's plan: free projects pause after 7 idle days and an org has at most 2 active ones; paid plans are billed once per org."),
    region: oneOf(SUPABASE_REGIONS as unknown as [string, ...string[]]).default("us-east-1").describe("Supabase region code; put it next to the backend, e.g. 'us-west-2' for Render's oregon."),
    instanceSize: oneOf(INSTANCE_SIZES as unknown as [string, ...string[]])
      .optional()
      .describe("Compute size ('micro', 'small', …); the smallest the plan allows when omitted (nano on free, micro on paid)."),
    ipv4: z
      .boolean()
      .default(false)
      .describe("Buy the IPv4 add-on ($4/month) and connect roles through the direct host instead of the shared pooler."),
    storage: z
      .object({
        bucket: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, "expected a bucket name of letters, digits, '_', '.' and '-'").describe("Bucket name, e.g. 'uploads'."),
        public: z.boolean().default(false).describe("Serve every object to anyone with its URL; private by default."),
        fileSizeLimit: z.union([z.number().int().min(0), z.string().regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB)$/i, "expected bytes or a size such as '50MB'")]).optional().describe("Largest object, in bytes or as '50MB' (decimal units)."),
        allowedMimeTypes: z.array(z.string().regex(/^[\w.+-]+\/[\w.+*-]+$/, "expected a MIME type such as 'image/png'")).optional().describe("Allowed MIME types, e.g. ['image/png', 'image/*']."),
      })
      .strict()
      .optional()
      .describe("A Supabase Storage bucket wired to the backend (SUPABASE_STORAGE_BUCKET), as an alternative to R2."),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.plan === "free" && c.instanceSize && c.instanceSize !== "nano") {
      ctx.addIssue({ code: "custom", path: ["instanceSize"], message: `the free plan runs nano compute only; '${c.instanceSize}' needs plan 'pro' or 'team'` });
    }
    if (c.plan !== "free" && c.instanceSize === "nano") {
      ctx.addIssue({ code: "custom", path: ["instanceSize"], message: "paid organizations cannot launch nano; use 'micro' (covered by the plan's $10 compute credit)" });
    }
  });

const isolated = z
  .object({
    mode: z.literal("isolated"),
    server: oneOf(["external", "render", "supabase"]).default("render").describe("Where the PostgreSQL server comes from: Render Postgres (default), a Supabase project, or an existing server."),
    render: renderPostgresSchema.optional().describe("Render Postgres settings when server is 'render'."),
    supabase: supabaseSchema.optional().describe("Supabase project settings; required when server is 'supabase'."),
    sslmode: oneOf(["require", "verify-ca", "verify-full", "disable"])
      .default("require")
      .describe("sslmode for the admin connection and the generated connection strings."),
    consumers: z
      .array(slug)
      .default([])
      .describe("Stacks allowed to share this database; each gets its own least-privilege role, e.g. ['dev', 'preview']."),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.server !== "render" && c.render) {
      ctx.addIssue({ code: "custom", path: ["render"], message: "only applies to server 'render'" });
    }
    if (c.server !== "supabase" && c.supabase) {
      ctx.addIssue({ code: "custom", path: ["supabase"], message: "only applies to server 'supabase'" });
    }
    if (c.server === "supabase" && !c.supabase) {
      ctx.addIssue({ code: "custom", path: ["supabase", "organization"], message: "required with server 'supabase': the organization slug the project belongs to" });
    }
    if (c.server === "supabase" && c.sslmode === "disable") {
      ctx.addIssue({ code: "custom", path: ["sslmode"], message: "Supabase's pooler and direct host are reached over TLS" });
    }
    if (c.server === "render" && c.sslmode === "disable") {
      ctx.addIssue({ code: "custom", path: ["sslmode"], message: "Render Postgres accepts external connections over TLS only" });
    }
    if (new Set(c.consumers).size !== c.consumers.length) {
      ctx.addIssue({ code: "custom", path: ["consumers"], message: "lists a consumer twice" });
    }
  });

const shared = z
  .object({
    mode: z.literal("shared"),
    from: stackRef.describe("Owner stack to share from, e.g. 'acme/webstack/staging'."),
    allowProductionData,
    consumer: slug
      .optional()
      .describe("Name the owner lists this stack under in its consumers; defaults to 'preview' in preview stacks, else the stack name."),
  })
  .strict()
  .superRefine(productionSharingGuard);

export const databaseSchema = z
  .discriminatedUnion("mode", [isolated, shared], {
    error: (iss) => (iss.code === "invalid_union" ? "expected 'isolated' | 'shared'" : undefined),
  })
  .describe("PostgreSQL: 'isolated' (own role and database) or 'shared' (from another stack).");

export type DatabaseConfig = z.infer<typeof databaseSchema>;
