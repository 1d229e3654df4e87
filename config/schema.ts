import { z } from "zod";
import { appSchema } from "./app";
import { backendSchema } from "./backend";
import { backupSchema } from "./backup";
import { budgetSchema } from "./budget";
import { cacheSchema } from "./cache";
import { cronSchema } from "./cron";
import { databaseSchema } from "./database";
import { environmentSchema } from "./environment";
import { frontendSchema } from "./frontend";
import { notifySchema } from "./notify";
import { envSchema, secretsSchema } from "./env";
import { storageSchema } from "./storage";

/** Namespace of every webstack key in Pulumi.<stack>.yaml. */
export const NAMESPACE = "webstack";

/**
 * An optional component section. Pulumi.yaml defaults it to `{}` (the CLI treats a key without
 * a default as required), so an empty object means "leave this component out".
 */
function optionalSection<T extends z.ZodType>(schema: T) {
  return z.preprocess(
    (v) => (v === null || (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) ? undefined : v),
    schema.optional(),
  );
}

/** One schema per top-level `webstack:<key>`; the order is the order of the docs. */
export const sections = {
  environment: environmentSchema,
  app: appSchema,
  backend: optionalSection(backendSchema),
  frontend: optionalSection(frontendSchema),
  database: optionalSection(databaseSchema),
  cron: optionalSection(cronSchema),
  cache: optionalSection(cacheSchema),
  storage: optionalSection(storageSchema),
  notify: optionalSection(notifySchema),
  backup: optionalSection(backupSchema),
  env: envSchema.default({ backend: {}, frontend: {} }),
  secrets: secretsSchema.default({}),
  budget: budgetSchema.default(() => budgetSchema.parse({})),
};

export const stackConfigSchema = z.object(sections).strict();

export type StackConfig = z.infer<typeof stackConfigSchema>;
export type SectionName = keyof typeof sections;
