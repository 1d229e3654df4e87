import { oneOf } from "./common";

export const environments = ["production", "staging", "development", "preview"] as const;
export type Environment = (typeof environments)[number];

/** The role a stack plays; it drives protection, crons and branch services. */
export const environmentSchema = oneOf(environments).describe(
  "What this stack is: production | staging | development | preview (short-lived pull-request stacks).",
);
