import type { CostSection } from "../cost/section";

/** What the offline synth records: the PR-review artifact, with every secret redacted. */
export interface ManifestResource {
  urn: string;
  type: string;
  name: string;
  /** Parent URN, or null for the stack itself. */
  parent: string | null;
  custom: boolean;
  protect: boolean;
  retainOnDelete: boolean;
  dependsOn: string[];
  /** Present (true) only when the resource is deleted before its replacement is created. */
  deleteBeforeReplace?: true;
  inputs: Record<string, unknown>;
}

export interface Manifest {
  project: string;
  stack: string;
  resources: ManifestResource[];
  outputs: Record<string, unknown>;
  /** The monthly estimate and the limits the stack crosses; the synth CLI adds it. */
  cost?: CostSection;
}

/** Written in place of any secret value, wherever it is nested. */
export const SECRET = "[secret]";
/** Written in place of a dynamic provider's serialized code, which embeds machine paths. */
export const DYNAMIC_PROVIDER = "[dynamic provider]";
