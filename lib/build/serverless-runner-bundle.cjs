/**
 * The runner build's source bundle (buildspecs/README.md, "How the scripts reach the build"): a zip
 * of buildspecs/runner.yml and buildspecs/runner/ as `buildspecs/...`, which each runner project
 * takes as its S3 source.
 *
 * The zip is byte-for-byte reproducible (sorted entries, fixed timestamps and modes), and its key
 * holds its own sha256: the template changes exactly when the scripts do, so `serverless deploy`
 * never skips a buildspec change as "no changes", and a stack rollback points at the bundle it was
 * deployed with, which is still there. The plugin (serverless-plugin.cjs) writes it beside the
 * packaged functions and uploads it to the deployment bucket before the stack update.
 */
"use strict";

const { createHash } = require("node:crypto");
const { readdirSync, readFileSync, statSync } = require("node:fs");
const { join, relative, sep } = require("node:path");

/** File name of the bundle in the package directory (.serverless/). */
const RUNNER_BUNDLE_FILE = "runner-bundle.zip";
/** The buildspec inside the bundle, as the project names it. */
const RUNNER_BUILDSPEC = "buildspecs/runner.yml";

// yazl is what osls zips functions with; take it from osls so this file needs nothing of its own.
const yazl = require(require.resolve("yazl", { paths: [require.resolve("osls")] }));

/** buildspecs/runner.yml and everything under buildspecs/runner/, sorted, as paths relative to `root`. */
function runnerBundleFiles(root) {
  const files = [join(root, RUNNER_BUILDSPEC)];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  walk(join(root, "buildspecs", "runner"));
  return files.map((file) => relative(root, file).split(sep).join("/")).sort();
}

/**
 * The bundle's bytes and sha256 (hex).
 *
 * @example
 * const { buffer, sha256 } = await buildRunnerBundle("/work/main");
 */
function buildRunnerBundle(root) {
  return new Promise((resolvePromise, reject) => {
    const zip = new yazl.ZipFile();
    for (const name of runnerBundleFiles(root)) {
      const executable = (statSync(join(root, name)).mode & 0o111) !== 0 || name.endsWith(".sh");
      zip.addBuffer(readFileSync(join(root, name)), name, {
        mtime: new Date("2000-01-01T00:00:00Z"),
        mode: executable ? 0o100755 : 0o100644,
        compressionLevel: 9,
      });
    }
    zip.end();
    const chunks = [];
    zip.outputStream.on("data", (chunk) => chunks.push(chunk));
    zip.outputStream.on("error", reject);
    zip.outputStream.on("end", () => {
      const buffer = Buffer.concat(chunks);
      resolvePromise({ buffer, sha256: createHash("sha256").update(buffer).digest("hex") });
    });
  });
}

/** Where the bundle goes in the deployment bucket: outside osls's own `serverless/` prefix, which it prunes. */
function runnerBundleKey(stage, sha256) {
  return `runway-runner/${stage}/${sha256.slice(0, 16)}.zip`;
}

module.exports = { RUNNER_BUNDLE_FILE, RUNNER_BUILDSPEC, runnerBundleFiles, buildRunnerBundle, runnerBundleKey };
