import { providerSource, type SupabaseProviderKind } from "../../../providers/supabase/provider-source";
import { Engine, type ProviderSet } from "../../engine/engine";
import { ProviderHost } from "../../engine/provider-host";
import type { SupabaseEmulator } from "./emulator";

export const SUPABASE_PROVIDERS: ProviderSet<SupabaseProviderKind> = {
  source: providerSource,
  type: (k) => `supabase:${k === "project" ? "Project" : "Bucket"}`,
};

/**
 * The SDK's dynamic-provider host for the Supabase providers against the emulator: the token from
 * the stack's `supabase:accessToken` (a secret), the endpoint and short waits from the environment.
 */
export function startSupabaseHost(emu: SupabaseEmulator, env: Record<string, string> = {}): Promise<ProviderHost> {
  return ProviderHost.start({
    env: {
      SUPABASE_API_ENDPOINT: emu.url,
      SUPABASE_PROJECT_URL: emu.projectUrlTemplate,
      SUPABASE_API_BACKOFF_MS: "1",
      SUPABASE_API_MAX_ATTEMPTS: "3",
      SUPABASE_POLL_INTERVAL_MS: "1",
      SUPABASE_WAIT_TIMEOUT_S: "2",
      SUPABASE_POOLER_TIMEOUT_S: "2",
      ...env,
    },
    config: { "supabase:accessToken": emu.token },
    secretKeys: ["supabase:accessToken"],
  });
}

export const supabaseEngine = (host: ProviderHost, bundles: Partial<Record<SupabaseProviderKind, string>> = {}) => new Engine<SupabaseProviderKind>(host, bundles, SUPABASE_PROVIDERS);
