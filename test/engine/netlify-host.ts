import { Engine, type ProviderSet } from "./engine";
import { type ProviderKind as NetlifyKind, providerSource as netlifySource } from "../../providers/netlify/provider-source";
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

/** The Netlify providers' bundles and type tokens (`netlify:Site`, …). */
export const NETLIFY_PROVIDERS: ProviderSet<string> = {
  source: (kind) => netlifySource(kind as NetlifyKind),
  type: (kind) => `netlify:${kind[0]!.toUpperCase()}${kind.slice(1)}`,
};

/** A fresh engine (empty state) for the Netlify providers over a running host. */
export const netlifyEngine = (host: ProviderHost) => new Engine<string>(host, {}, NETLIFY_PROVIDERS);
