/**
 * Supabase facts both the provider (bundled into state: plain data only) and config/cost read.
 * Source: /work/shared/reference/supabase-api.md §3 (SPEC enums) and §8 (prices).
 */

/** Region codes the create body accepts (SPEC enum; the live list is Beta and "not a stable API"). */
export const REGIONS = [
  "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1", "eu-west-1", "eu-west-2", "eu-west-3",
  "eu-central-1", "eu-central-2", "eu-north-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1",
  "ap-northeast-2", "ap-east-1",
];

/** `desired_instance_size` values webstack prices (SPEC lists more; larger ones are priced on request). */
export const INSTANCE_SIZES = ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"];

/** Compute per project, USD per month (billing add-ons fixture 2026-05-06; nano is the free plan's shared compute). */
export const COMPUTE_MONTHLY: Record<string, number> = {
  nano: 0, micro: 10, small: 15, medium: 60, large: 110, xlarge: 210, "2xlarge": 410, "4xlarge": 960, "8xlarge": 1870, "12xlarge": 2800, "16xlarge": 3730,
};

/** Organization plans, USD per month, counted once per org however many stacks use it. */
export const ORG_PLAN_MONTHLY: Record<string, number> = { free: 0, pro: 25, team: 599 };

/** A paid org's compute credits a month: one Micro. */
export const PAID_COMPUTE_CREDIT = 10;
/** The IPv4 add-on, per project a month. */
export const IPV4_MONTHLY = 4;
/** Active free projects an org may have (paused ones do not count). */
export const FREE_ACTIVE_PROJECTS = 2;
/** A free project is paused after this many days without activity. */
export const FREE_PAUSE_AFTER_DAYS = 7;
