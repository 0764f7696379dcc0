/** Errors raised while reading the configuration file. */

/** One problem in the configuration file, located by line and column. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the field, e.g. `environments.dev.codebuild.project`. */
  field: string;
  message: string;
}

/**
 * The configuration file is missing, is not YAML, or does not match the schema. Every problem is
 * collected so that one run of `runway check-config` shows them all.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[], options?: ErrorOptions) {
    super(ConfigError.describe(problems), options);
    this.problems = problems;
  }

  static describe(problems: ConfigProblem[]): string {
    const lines = problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.field || "(file)"}: ${p.message}`);
    return `invalid Runway configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${lines.join("\n  ")}`;
  }
}
