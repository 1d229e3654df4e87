import { z } from "zod";
import { slug } from "./common";

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
  })
  .strict()
  .describe("The product: its name, repository and the accounts it deploys into.");

export type AppConfig = z.infer<typeof appSchema>;
