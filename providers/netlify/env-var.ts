/** Inputs of the Netlify `EnvVar` provider. */
export interface EnvVarValueInput {
  context: "production" | "deploy-preview" | "branch-deploy" | "branch" | "dev";
  /** With `context: "branch"`: the branch name. */
  contextParameter?: string;
  value: string;
}

export interface EnvVarInputs {
  /** Team slug or id for the accounts env API. */
  accountSlug: string;
  siteId: string;
  key: string;
  isSecret: boolean;
  /** Scopes to send; absent = none (all four). */
  scopes?: string[];
  /** This stack's values; other stacks' values of the same key are left alone. */
  values: EnvVarValueInput[];
}
