import { Engine } from "./engine";
import { ProviderHost } from "./provider-host";
import type { RenderEmulator } from "../providers/render/emulator";

/**
 * A provider host for the Render providers against the emulator: the key comes from the stack's
 * `render:apiKey` (a secret, as `pulumi config set --secret` stores it), the API URL and short
 * delays from the environment of `pulumi up`. Client-side throttles are off: the emulator counts.
 */
export async function startRenderHost(emu: RenderEmulator, env: Record<string, string> = {}): Promise<ProviderHost> {
  return ProviderHost.start({
    env: {
      RENDER_API_URL: emu.url,
      RENDER_API_BACKOFF_MS: "1",
      RENDER_POLL_INTERVAL_MS: "1",
      RENDER_API_MAX_ATTEMPTS: "3",
      RENDER_API_GETS_PER_MINUTE: "0",
      RENDER_API_WRITES_PER_MINUTE: "0",
      ...env,
    },
    config: { "render:apiKey": emu.apiKey, "webstack:app": JSON.stringify({ name: "ott" }) },
    secretKeys: ["render:apiKey"],
  });
}

/** A fresh engine (empty state) over a running host. */
export const engineOver = (host: ProviderHost) => new Engine(host);
