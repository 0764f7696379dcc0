/** The sample configuration shipped at the repository root, loaded for tests. */
import { fileURLToPath } from "node:url";
import { loadConfigFile } from "../../lib/config/load.ts";

export const SAMPLE_CONFIG_FILE = fileURLToPath(new URL("../../runway.yml", import.meta.url));

export function sampleConfig() {
  return loadConfigFile(SAMPLE_CONFIG_FILE);
}
