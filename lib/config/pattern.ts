/**
 * Filter patterns, compiled with RE2's semantics so that matching takes time linear in the
 * value's length whatever the pattern and the value. A workflow name is chosen by whoever pushes a
 * workflow; JavaScript's RegExp backtracks, and `^([a-z0-9]+-?)+-deploy$` takes seconds on a
 * 40-character name, stalling the webhook past GitHub's 10 s and every delivery queued behind it.
 *
 * re2js is RE2 in pure JavaScript (the native `re2` package downloads a binary at install time,
 * which fails offline). RE2 leaves out what cannot be matched in linear time (lookarounds,
 * backreferences, possessive and atomic groups); `compilePattern` refuses those with what to
 * write instead, so a configuration that loads has no pattern that can stall routing. Deployed
 * functions read patterns from the compiled configuration, checked by the build; `matches`
 * compiles each there on its first use, so only bundles that route carry the engine.
 */
import { RE2JS, RE2JSSyntaxException } from "re2js";

/**
 * A filter pattern, checked by RE2 when the configuration loads. Plain data, so that the compiled
 * configuration carries it as JSON and only code that matches (routing) loads the engine: every
 * function reads the configuration, and re2js is ~150 KiB of each bundle it lands in.
 */
export interface Pattern {
  /**
   * The pattern as written, shown as `RegExp#source` showed it when patterns were JavaScript's
   * (`/` as `\/`, a line break as `\n`), so traces, Slack and `runway route` read as before. It
   * means the same to RE2 as what was written.
   */
  readonly source: string;
}

/** A pattern RE2 does not accept; the message says what to write instead. */
export class PatternError extends Error {
  override name = "PatternError";
}

/** The engine's form of each pattern: made once, when it is checked or first matched. */
const engines = new WeakMap<Pattern, RE2JS>();

/**
 * Check a pattern in RE2 syntax and compile it. Throws `PatternError` for one RE2 refuses.
 *
 * @example
 * const pattern = compilePattern("^(action.*dev-deploy)$");
 * matches(pattern, "action-web-dev-deploy"); // true
 * compilePattern("^deploy(?!-test)"); // throws PatternError: lookahead (?!…) is not supported …
 */
export function compilePattern(written: string): Pattern {
  const pattern: Pattern = Object.freeze({ source: asLiteralSource(written) });
  engines.set(pattern, compile(written));
  return pattern;
}

/**
 * Whether the pattern matches anywhere in `value`: unanchored and case-sensitive, as
 * `RegExp#test` was, in time linear in `value`'s length. A pattern read from the compiled
 * configuration is compiled on its first use (the build checked it).
 *
 * @example
 * matches(compilePattern("dev"), "action-dev-deploy"); // true
 * matches(compilePattern("^deploy$"), "Deploy"); // false
 */
export function matches(pattern: Pattern, value: string): boolean {
  let engine = engines.get(pattern);
  if (engine === undefined) {
    engine = compile(pattern.source);
    engines.set(pattern, engine);
  }
  return engine.test(value);
}

function compile(source: string): RE2JS {
  try {
    // No flags: case-sensitive, `^`/`$` at the ends of the value, no lookbehinds (re2js's
    // LOOKBEHINDS extension is not part of RE2).
    return RE2JS.compile(source);
  } catch (error) {
    throw new PatternError(explain(error), { cause: error });
  }
}

/** Escape `/` outside a character class, and line breaks, as `RegExp#source` does. */
function asLiteralSource(source: string): string {
  const shown: Record<string, string> = { "\n": "\\n", "\r": "\\r" };
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === "\\") {
      out += source.slice(i, i + 2); // an escape is kept whole: `\/` stays `\/`, `\]` closes nothing
      i++;
      continue;
    }
    if (char === "[") inClass = true;
    if (char === "]") inClass = false;
    out += shown[char] ?? (char === "/" && !inClass ? "\\/" : char);
  }
  return out;
}

const DIALECT = "patterns use RE2 syntax, which matches in linear time";

/** What RE2 refused, in the words of someone who wrote a JavaScript regular expression. */
function explain(error: unknown): string {
  if (!(error instanceof RE2JSSyntaxException)) return `not a valid regular expression (${(error as Error).message}); ${DIALECT}`;
  // RE2 names the fragment it stopped at: `(?!`, `\1`, `++`, or from `(?<=` to the end.
  const at = error.getPattern() ?? "";
  const invalid = (hint: string) => `not a valid regular expression: ${error.error} at \`${at}\`; ${DIALECT}${hint}`;
  const unsupported = (what: string, instead: string) => `${what} is not supported: ${DIALECT}; ${instead}`;
  if (/^\(\?<?[=!]/.test(at)) {
    const behind = at.startsWith("(?<");
    const what = `${behind ? "lookbehind" : "lookahead"} ${at.slice(0, behind ? 4 : 3)}…)`;
    if (at[behind ? 3 : 2] === "=") {
      return unsupported(
        what,
        "match what must be present with a second filter in the same group (every filter of a group must pass), and what must be absent with one with excludeMatchedPattern: true",
      );
    }
    const example = behind ? "(?<!legacy-)deploy$ becomes deploy$ and an excluded legacy-deploy$" : "^deploy(?!-test) becomes ^deploy and an excluded ^deploy-test";
    return unsupported(what, `match what must be absent with a filter of its own in the same group with excludeMatchedPattern: true (${example})`);
  }
  if (/^\\([1-9]|k)/.test(at)) return unsupported(`backreference ${at}`, "spell the alternatives out, e.g. (dev-dev|stg-stg) for (dev|stg)-\\1");
  if (at.startsWith("(?>")) return unsupported("atomic group (?>…)", "write a plain group (…): RE2 never backtracks, so it is not needed");
  if (/^(?:[*+?]|\{[\d,]+\})\+$/.test(at)) {
    return unsupported(`possessive quantifier ${at}`, `write ${at.slice(0, -1)} alone: RE2 never backtracks, so it is not needed`);
  }
  if (at.startsWith("\\u")) return unsupported(`the escape ${at}`, "write \\x{41} (or \\x41) for U+0041, or the character itself");
  if (at.startsWith("\\c")) return unsupported(`the escape ${at}`, "write a control character as \\x01 … \\x1F");
  if (at.startsWith("[^]")) return unsupported("[^] (any character)", "write [\\s\\S] or (?s:.)");
  if (at.startsWith("(?#") || at.startsWith("(?x")) return unsupported(`${at.slice(0, 3)}…)`, "remove the comment or free-spacing and write the pattern on one line");
  if (/^\\[pP]/.test(at)) return invalid(": use a short Unicode class such as \\p{L}, \\p{Lu}, \\p{N}, or a script such as \\p{Greek}");
  if (error.error === "invalid repeat count") return invalid(": a repeat count is at most 1000, nested repeats multiplied");
  return invalid(" (README, \"Pattern dialect\")");
}
