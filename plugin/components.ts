// The components the provider hosts, apart from the host entry so that tests (and the schema
// generation) can load them without starting a gRPC server.
import { Cache, CronTrigger, Database, EnvVarSet, FrontendSite, NetlifyFrontend, SharedDatabase, Storage, WebService } from "../components/index";

export { Cache, CronTrigger, Database, EnvVarSet, FrontendSite, NetlifyFrontend, SharedDatabase, Storage, WebService };

/** Every component the provider serves; type tokens are `webstack:index:<ClassName>`. */
export const components = [WebService, FrontendSite, NetlifyFrontend, Database, SharedDatabase, CronTrigger, EnvVarSet, Cache, Storage];
