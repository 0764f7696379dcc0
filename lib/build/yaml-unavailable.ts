/**
 * Stands in for the `yaml` package inside Lambda bundles, which read the configuration as JSON
 * (`RUNWAY_CONFIG=runway.json`, written by the build). Reaching this means a bundle was pointed
 * at a YAML file: say how to fix it rather than fail obscurely.
 */
function unavailable(): never {
  throw new Error("this bundle reads its configuration as JSON: set RUNWAY_CONFIG=runway.json (the build writes it beside the bundle)");
}

export const parseDocument = unavailable;
export const isNode = unavailable;
export class LineCounter {
  constructor() {
    unavailable();
  }
}
