/** The folder of this platform's embedded PostgreSQL build for a major, or undefined. */
export function embeddedPostgresDir(major: number | string): string | undefined;
/** How many of the build's shared-library links are missing (0 once its postinstall ran). */
export function missingLinks(dir: string): number;
