import type { JobSpec, JobsByCron } from "./types";

const canonical = (cron: string) => cron.trim().replace(/\s+/g, " ").toUpperCase();

/** Jobs for the expression that fired: exact key first, then ignoring case and spacing. */
export function jobsFor(jobs: JobsByCron, cron: string): JobSpec[] {
  if (jobs[cron]) return jobs[cron];
  const wanted = canonical(cron);
  return Object.entries(jobs).find(([expr]) => canonical(expr) === wanted)?.[1] ?? [];
}
