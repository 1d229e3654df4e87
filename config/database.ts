import { z } from "zod";
import { oneOf, slug, stackRef } from "./common";
import { renderRegions } from "./backend";

export const renderPostgresVersions = ["13", "14", "15", "16", "17", "18"] as const;

const renderPostgres = z
  .object({
    plan: z.string().regex(/^[a-z0-9_]+$/, "expected a Render Postgres plan such as 'basic_256mb'").default("basic_256mb"),
    version: oneOf(renderPostgresVersions).default("16"),
    region: oneOf(renderRegions).default("oregon"),
    diskSizeGB: z.number().int().min(1).optional(),
  })
  .strict();

const isolated = z
  .object({
    mode: z.literal("isolated"),
    server: oneOf(["external", "render"]).default("render").describe("Where the PostgreSQL server comes from."),
    render: renderPostgres.optional().describe("Render Postgres settings when server is 'render'."),
    sslmode: oneOf(["require", "verify-ca", "verify-full", "disable"])
      .default("require")
      .describe("sslmode for the admin connection and the generated connection strings."),
    consumers: z
      .array(slug)
      .default([])
      .describe("Stacks allowed to share this database; each gets its own least-privilege role, e.g. ['dev']."),
  })
  .strict();

const shared = z
  .object({
    mode: z.literal("shared"),
    from: stackRef.describe("Owner stack to share from, e.g. 'acme/webstack/staging'."),
    allowProductionData: z
      .boolean()
      .default(false)
      .describe("Required to share from a production stack: a conscious opt-in to production data."),
  })
  .strict();

export const databaseSchema = z
  .discriminatedUnion("mode", [isolated, shared], {
    error: (iss) => (iss.code === "invalid_union" ? "expected 'isolated' | 'shared'" : undefined),
  })
  .describe("PostgreSQL: 'isolated' (own role and database) or 'shared' (from another stack).");

export type DatabaseConfig = z.infer<typeof databaseSchema>;
