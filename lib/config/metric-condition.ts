/**
 * The condition syntax of metric checks (`successCondition`, `failureCondition`): a comparison of
 * the measured series with a number, joined by `and` / `or`, with parentheses.
 *
 *   result < 0.01                          the latest datapoint
 *   avg(result) >= 100                     an aggregate of every datapoint in the window
 *   max(result) < 5 and count(result) >= 3
 *
 * `result` is the newest datapoint; `avg`, `min`, `max`, `sum` and `count` aggregate the window.
 * Nothing is evaluated as code: the text is parsed here into a small tree (at load, so a broken
 * condition is reported with its line) and the tree is compared with numbers, which is all a
 * condition needs — `max(result) < x` says "every datapoint is below x", `min(result) > x` "every
 * one is above". With no datapoint, every subject but `count` has no value: a comparison with it
 * is unknown, and `and` / `or` follow three-valued logic (unknown and false is false, unknown or
 * true is true), so "no data" stays unknown unless the condition itself says otherwise.
 *
 * Kept apart from the schema so that deployed functions can evaluate without the schema library.
 */

/** The GetMetricData query id of the series a condition reads (`result`). */
export const RESULT_ID = "result";

export const SUBJECTS = ["result", "avg", "min", "max", "sum", "count"] as const;
export type Subject = (typeof SUBJECTS)[number];
export const COMPARISONS = ["<", "<=", ">", ">=", "==", "!="] as const;
export type Comparison = (typeof COMPARISONS)[number];

export type ConditionNode =
  | { kind: "compare"; subject: Subject; op: Comparison; value: number }
  | { kind: "and" | "or"; left: ConditionNode; right: ConditionNode };

const MAX_LENGTH = 256;
const AGGREGATES = SUBJECTS.filter((s) => s !== "result");
const SUBJECT_HINT = `result (the latest datapoint) or ${AGGREGATES.map((a) => `${a}(result)`).join(", ")}`;

/** A condition that does not parse; `column` is 1-based. */
export class ConditionSyntaxError extends Error {
  override name = "ConditionSyntaxError";
  readonly column: number;
  constructor(column: number, message: string) {
    super(`column ${column}: ${message}`);
    this.column = column;
  }
}

interface Token {
  kind: "number" | "word" | "op" | "(" | ")" | "end";
  text: string;
  column: number;
}

/**
 * Parses a condition.
 *
 * @throws ConditionSyntaxError saying where and what to write instead.
 * @example
 * parseCondition("avg(result) < 0.01 and count(result) >= 3");
 * // { kind: "and", left: { kind: "compare", subject: "avg", op: "<", value: 0.01 }, right: … }
 */
export function parseCondition(source: string): ConditionNode {
  if (source.length > MAX_LENGTH) throw new ConditionSyntaxError(MAX_LENGTH + 1, `a condition is at most ${MAX_LENGTH} characters`);
  const tokens = tokenize(source);
  let at = 0;
  const peek = () => tokens[at]!;
  const next = () => tokens[at++]!;

  const parseOr = (): ConditionNode => {
    let left = parseAnd();
    while (peek().kind === "word" && peek().text === "or") {
      next();
      left = { kind: "or", left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): ConditionNode => {
    let left = parseClause();
    while (peek().kind === "word" && peek().text === "and") {
      next();
      left = { kind: "and", left, right: parseClause() };
    }
    return left;
  };
  const parseClause = (): ConditionNode => {
    const token = peek();
    if (token.kind === "(") {
      next();
      const inner = parseOr();
      const close = next();
      if (close.kind !== ")") throw new ConditionSyntaxError(close.column, `expected ")" ${found(close)}`);
      return inner;
    }
    if (token.kind === "number") {
      throw new ConditionSyntaxError(token.column, `put the measured value first, e.g. "result > ${token.text}", not "${token.text} < result"`);
    }
    const subject = parseSubject();
    const op = next();
    if (op.kind !== "op") throw new ConditionSyntaxError(op.column, `expected a comparison (${COMPARISONS.join(" ")}) ${found(op)}`);
    const number = next();
    if (number.kind !== "number") throw new ConditionSyntaxError(number.column, `expected a number after "${op.text}" ${found(number)}`);
    return { kind: "compare", subject, op: op.text as Comparison, value: Number(number.text) };
  };
  const parseSubject = (): Subject => {
    const word = next();
    if (word.kind !== "word" || !(SUBJECTS as readonly string[]).includes(word.text)) {
      throw new ConditionSyntaxError(word.column, `expected ${SUBJECT_HINT} ${found(word)}`);
    }
    if (word.text === "result") return "result";
    const open = next();
    if (open.kind !== "(") throw new ConditionSyntaxError(open.column, `expected "(" after ${word.text}: write ${word.text}(result)`);
    const inner = next();
    if (inner.kind !== "word" || inner.text !== "result") throw new ConditionSyntaxError(inner.column, `${word.text}() takes result: write ${word.text}(result)`);
    const close = next();
    if (close.kind !== ")") throw new ConditionSyntaxError(close.column, `expected ")" after ${word.text}(result ${found(close)}`);
    return word.text as Subject;
  };

  if (peek().kind === "end") throw new ConditionSyntaxError(1, `empty condition: write e.g. "result < 0.01"`);
  const tree = parseOr();
  const rest = peek();
  if (rest.kind !== "end") {
    throw new ConditionSyntaxError(rest.column, `expected "and", "or" or the end ${found(rest)}`);
  }
  return tree;
}

function found(token: Token): string {
  return token.kind === "end" ? "(found the end)" : `(found "${token.text}")`;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    const column = i + 1;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    const rest = source.slice(i);
    const number = /^-?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?/.exec(rest);
    if (number && (char !== "-" || tokens.at(-1)?.kind === "op")) {
      tokens.push({ kind: "number", text: number[0], column });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (word) {
      tokens.push({ kind: "word", text: word[0], column });
      i += word[0].length;
      continue;
    }
    const op = /^(<=|>=|==|!=|<|>)/.exec(rest);
    if (op) {
      tokens.push({ kind: "op", text: op[0], column });
      i += op[0].length;
      continue;
    }
    if (char === "(" || char === ")") {
      tokens.push({ kind: char, text: char, column });
      i++;
      continue;
    }
    if (rest.startsWith("&&") || rest.startsWith("||")) {
      throw new ConditionSyntaxError(column, `write "${rest.startsWith("&&") ? "and" : "or"}" instead of "${rest.slice(0, 2)}"`);
    }
    if (char === "=") throw new ConditionSyntaxError(column, `"=" is not a comparison: write == (or ${COMPARISONS.filter((c) => c !== "==").join(" ")})`);
    throw new ConditionSyntaxError(column, `unexpected "${char}": a condition compares ${SUBJECT_HINT} with a number`);
  }
  tokens.push({ kind: "end", text: "", column: source.length + 1 });
  return tokens;
}

/**
 * The value of a subject over a series (newest datapoint first); undefined when it has none.
 *
 * @example subjectValue("avg", [3, 1]) // 2
 */
export function subjectValue(subject: Subject, newestFirst: readonly number[]): number | undefined {
  if (subject === "count") return newestFirst.length;
  if (newestFirst.length === 0) return undefined;
  switch (subject) {
    case "result":
      return newestFirst[0];
    case "sum":
      return newestFirst.reduce((a, b) => a + b, 0);
    case "avg":
      return newestFirst.reduce((a, b) => a + b, 0) / newestFirst.length;
    case "min":
      return Math.min(...newestFirst);
    case "max":
      return Math.max(...newestFirst);
  }
}

/**
 * Whether the condition holds over a series (newest datapoint first): true, false, or undefined
 * when it depends on a value the series does not have (no data).
 *
 * @example evaluateCondition(parseCondition("result < 1"), [0.5, 3]) // true
 */
export function evaluateCondition(node: ConditionNode, newestFirst: readonly number[]): boolean | undefined {
  if (node.kind === "compare") {
    const value = subjectValue(node.subject, newestFirst);
    if (value === undefined) return undefined;
    return compare(value, node.op, node.value);
  }
  const left = evaluateCondition(node.left, newestFirst);
  const right = evaluateCondition(node.right, newestFirst);
  if (node.kind === "and") {
    if (left === false || right === false) return false;
    return left === true && right === true ? true : undefined;
  }
  if (left === true || right === true) return true;
  return left === false && right === false ? false : undefined;
}

function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "==":
      return value === threshold;
    case "!=":
      return value !== threshold;
  }
}

/** The subjects a condition reads, in order of first use: what the evidence shows. */
export function conditionSubjects(node: ConditionNode): Subject[] {
  const seen = new Set<Subject>();
  const visit = (n: ConditionNode) => {
    if (n.kind === "compare") seen.add(n.subject);
    else {
      visit(n.left);
      visit(n.right);
    }
  };
  visit(node);
  return [...seen];
}
