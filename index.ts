import { loadStackConfig } from "./config/load";

// Everything below runs only on a valid config: loadStackConfig throws before any resource.
const { config } = loadStackConfig();

/** Role of this stack, for other stacks that read it through a StackReference. */
export const environment = config.environment;
