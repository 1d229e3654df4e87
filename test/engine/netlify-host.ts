import { Engine, NETLIFY_PROVIDERS } from "./engine";
import { ProviderHost } from "./provider-host";
import type { NetlifyEmulator } from "../providers/netlify/emulator";

/**
 * A provider host for the Netlify providers against the emulator: the token comes from the stack's
 * `netlify:token` (a secret), the API URL and short delays from the environment of `pulumi up`.
 * Client-side throttles are off: the emulator counts.
 */
export async function startNetlifyHost(emu: NetlifyEmulator, env: Record<string, string> = {}): Promise<ProviderHost> {
  return ProviderHost.start({
    env: {
      NETLIFY_API_URL: emu.url,
      NETLIFY_API_BACKOFF_MS: "1",
      NETLIFY_API_MAX_ATTEMPTS: "3",
      NETLIFY_API_GETS_PER_MINUTE: "0",
      NETLIFY_API_WRITES_PER_MINUTE: "0",
      ...env,
    },
    config: { "netlify:token": emu.token },
    secretKeys: ["netlify:token"],
  });
}

/** A fresh engine (empty state) for the Netlify providers over a running host. */
export const netlifyEngine = (host: ProviderHost) => new Engine(host, {}, NETLIFY_PROVIDERS);
