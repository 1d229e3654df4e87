import { deleteOrGone, type RenderClient } from "./client";

/**
 * Moves a service or database between environments of a project, Render's way: out of the old
 * one, then into the new one (render-api.md §6). `undefined` means no environment.
 */
export async function moveToEnvironment(client: RenderClient, resourceId: string, from: string | undefined, to: string | undefined): Promise<void> {
  if (from === to) return;
  // A 404: already out of it, or the environment is gone.
  if (from) await deleteOrGone(client, `/environments/${from}/resources`, { resourceIds: resourceId });
  if (to) await client.request("POST", `/environments/${to}/resources`, { body: { resourceIds: [resourceId] }, idempotent: true });
}
