import { isApiError, type RenderClient } from "./client";

/**
 * Moves a service or database between environments of a project, Render's way: out of the old
 * one, then into the new one (render-api.md §6). `undefined` means no environment.
 */
export async function moveToEnvironment(client: RenderClient, resourceId: string, from: string | undefined, to: string | undefined): Promise<void> {
  if (from === to) return;
  if (from) {
    await client.request("DELETE", `/environments/${from}/resources`, { query: { resourceIds: resourceId } }).catch((err) => {
      // Already out of it, or the environment is gone.
      if (!isApiError(err, 404)) throw err;
    });
  }
  if (to) await client.request("POST", `/environments/${to}/resources`, { body: { resourceIds: [resourceId] }, idempotent: true });
}
