import { z } from "zod";
import { oneOf, slug, stackRef } from "./common";

/** Render workspace plans since 2026-04-23 (render.com/docs/organizations); enterprise is priced by contract, so not here. */
export const RENDER_WORKSPACE_PLANS = ["hobby", "pro", "scale"] as const;

/** Where the stack's Render services and database live: a project it owns, or one another stack owns. */
export const renderProjectSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe("Creates a Render project of this name, owned by this stack (usually prod), e.g. 'ott'."),
    id: z
      .string()
      .regex(/^prj-[a-z0-9]+$/, "expected a Render project id ('prj-…')")
      .optional()
      .describe(
        "Id of a Render project another stack owns (its 'renderProjectId' output), e.g. 'prj-cs1ott7acme2proj0x0'; this stack adds its own environment to it. " +
          "Plain config, so a stack below production never reads the production stack (docs/architecture.md).",
      ),
    from: stackRef
      .optional()
      .describe("Non-production stack that owns the Render project, e.g. 'acme/webstack/platform'; read through a StackReference. Never a production stack: use 'id'."),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ([p.name, p.id, p.from].filter((v) => v !== undefined).length !== 1) {
      ctx.addIssue({ code: "custom", path: [], message: "set one of 'name' (this stack owns the project), 'id' or 'from' (another stack does)" });
    }
  })
  .describe(
    "Render project for the stack's services and database, in an environment named after the stack (protected in production). Absent: no project.",
  );

export const appSchema = z
  .object({
    name: slug.describe("Product name; prefixes every cloud resource name, e.g. 'ott'."),
    repo: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "expected '<owner>/<repo>' on GitHub")
      .describe("GitHub repository that Render and Vercel build from, e.g. 'acme/ott'."),
    pulumiOrg: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, "expected a Pulumi organization name")
      .describe("Pulumi organization that owns the stacks; used to resolve shared databases, e.g. 'acme'."),
    renderOwnerId: z
      .string()
      .regex(/^(tea|usr)-[a-z0-9]+$/, "expected a Render workspace id ('tea-…' or 'usr-…')")
      .describe("Render workspace id that owns services and databases, e.g. 'tea-cs1a2b3c4d5e6f7g8h9i'."),
    renderWorkspacePlan: oneOf(RENDER_WORKSPACE_PLANS)
      .default("hobby")
      .describe(
        "Plan of that Render workspace: 'hobby' (no team members, no autoscaling), 'pro' or 'scale'. Billed once per workspace, whatever the stacks in it; set the same value in each (docs/cost.md).",
      ),
    renderProject: renderProjectSchema.optional(),
  })
  .strict()
  .describe("The product: its name, repository and the accounts it deploys into.");

export type AppConfig = z.infer<typeof appSchema>;
