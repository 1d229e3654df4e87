import { z } from "zod";
import { allowProductionData, oneOf, productionSharingGuard, slug, stackRef } from "./common";
import { renderRegions } from "./backend";
import { PRICES } from "../cost/prices";

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
    diskSizeGB: z.number().int().min(1).optional().describe("Disk size in GB; Render's plan default when omitted."),
  })
  .strict();

const isolated = z
  .object({
    mode: z.literal("isolated"),
    server: oneOf(["external", "render"]).default("render").describe("Where the PostgreSQL server comes from."),
    render: renderPostgresSchema.optional().describe("Render Postgres settings when server is 'render'."),
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
    if (c.server === "external" && c.render) {
      ctx.addIssue({ code: "custom", path: ["render"], message: "only applies to server 'render'" });
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
