// Runs before `npm start` and `npm test` (prestart / pretest) on whatever Node the shell has, so
// it is plain JavaScript: install the locked dependencies when node_modules is missing or older
// than package-lock.json, so that each quick-start command works on a fresh clone by itself.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const lock = "package-lock.json";
const installed = "node_modules/.package-lock.json";
const stale = !existsSync(installed) || !existsSync("node_modules/.bin/node") || statSync(installed).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  console.error("Installing dependencies (npm ci): node_modules is missing or older than package-lock.json …");
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
