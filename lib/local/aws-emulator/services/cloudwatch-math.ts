/**
 * Metric math for the emulated GetMetricData: arithmetic (+ - * / ^, unary minus, parentheses)
 * over numbers and the time series of other queries by id, and the functions most alarms and
 * checks use — SUM, AVG, MIN, MAX (of one series: a number; of [a, b, …]: a series), ABS and
 * FILL(series, value). As in CloudWatch, arithmetic between two series keeps the timestamps both
 * have (FILL fills the gaps first), and a point that is not a finite number (x / 0) is dropped.
 * Anything else is refused with the name of what the emulator does not compute.
 */
import { AwsServiceError } from "../types.ts";

/** Timestamp (ms) → value, on the grid `grid` (every period start of the query's window). */
export interface Series {
  points: Map<number, number>;
  grid: number[];
}

type Value = number | Series | Series[];

/** How an expression finds the series of another query (by id); throws when there is none. */
export type Lookup = (id: string) => Series;

interface Token {
  kind: "number" | "id" | "op" | "end";
  text: string;
}

/**
 * Evaluates `expression` (the query `id`'s) to a time series.
 *
 * @example evaluateExpression("e1", "errors / requests * 100", lookup) // { points: Map { … }, grid }
 */
export function evaluateExpression(id: string, expression: string, lookup: Lookup): Series {
  const fail = (message: string) => new AwsServiceError("ValidationError", `Error in expression ${id}: ${message}`);
  const tokens = tokenize(expression, fail);
  let at = 0;
  const peek = () => tokens[at]!;
  const take = (text?: string) => {
    const token = tokens[at]!;
    if (text !== undefined && token.text !== text) throw fail(`expected "${text}" but found "${token.text || "the end"}"`);
    at++;
    return token;
  };

  const sum = (): Value => {
    let left = product();
    while (peek().text === "+" || peek().text === "-") {
      const op = take().text;
      left = combine(left, product(), op, fail);
    }
    return left;
  };
  const product = (): Value => {
    let left = unary();
    while (peek().text === "*" || peek().text === "/") {
      const op = take().text;
      left = combine(left, unary(), op, fail);
    }
    return left;
  };
  // -2 ^ 2 is -(2 ^ 2): unary minus binds looser than ^.
  const unary = (): Value => {
    if (peek().text !== "-") return power();
    take();
    return combine(-1, unary(), "*", fail);
  };
  const power = (): Value => {
    const base = primary();
    if (peek().text !== "^") return base;
    take();
    return combine(base, unary(), "^", fail);
  };
  const primary = (): Value => {
    const token = take();
    if (token.kind === "number") return Number(token.text);
    if (token.text === "(") {
      const inner = sum();
      take(")");
      return inner;
    }
    if (token.text === "[") {
      const items = [asSeries(sum(), fail)];
      while (peek().text === ",") {
        take();
        items.push(asSeries(sum(), fail));
      }
      take("]");
      return items;
    }
    if (token.kind === "id" && peek().text === "(") {
      take("(");
      const args = [sum()];
      while (peek().text === ",") {
        take();
        args.push(sum());
      }
      take(")");
      return call(token.text, args, fail);
    }
    if (token.kind === "id" && /^[a-z]/.test(token.text)) return lookup(token.text);
    throw fail(`unexpected "${token.text || "end of expression"}"`);
  };

  const value = sum();
  if (peek().kind !== "end") throw fail(`unexpected "${peek().text}"`);
  if (typeof value === "number" || Array.isArray(value)) {
    throw fail("the expression must return a time series (this one returns a single number or an array)");
  }
  return value;
}

function tokenize(expression: string, fail: (message: string) => AwsServiceError): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/^(),[\]]))/y;
  let index = 0;
  while (index < expression.length) {
    if (/^\s*$/.test(expression.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(expression);
    if (!match) throw fail(`Unrecognized token at position ${index + 1}`);
    index = pattern.lastIndex;
    if (match[1]) tokens.push({ kind: "number", text: match[1] });
    else if (match[2]) tokens.push({ kind: "id", text: match[2] });
    else tokens.push({ kind: "op", text: match[3]! });
  }
  tokens.push({ kind: "end", text: "" });
  return tokens;
}

function asSeries(value: Value, fail: (message: string) => AwsServiceError): Series {
  if (typeof value === "number" || Array.isArray(value)) throw fail("an array holds time series");
  return value;
}

function apply(a: number, b: number, op: string): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return a / b;
    default:
      return a ** b;
  }
}

function combine(left: Value, right: Value, op: string, fail: (message: string) => AwsServiceError): Value {
  if (Array.isArray(left) || Array.isArray(right)) throw fail(`arithmetic on arrays of time series is not emulated (${op})`);
  if (typeof left === "number" && typeof right === "number") return apply(left, right, op);
  const grid = typeof left === "number" ? (right as Series).grid : left.grid;
  const points = new Map<number, number>();
  const stamps = typeof left === "number" ? [...(right as Series).points.keys()] : [...left.points.keys()];
  for (const at of stamps) {
    const a = typeof left === "number" ? left : left.points.get(at);
    const b = typeof right === "number" ? right : right.points.get(at);
    if (a === undefined || b === undefined) continue;
    const value = apply(a, b, op);
    if (Number.isFinite(value)) points.set(at, value);
  }
  return { points, grid };
}

const AGGREGATES: Record<string, (values: number[]) => number> = {
  SUM: (v) => v.reduce((a, b) => a + b, 0),
  AVG: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  MIN: (v) => Math.min(...v),
  MAX: (v) => Math.max(...v),
};

function call(name: string, args: Value[], fail: (message: string) => AwsServiceError): Value {
  const fn = name.toUpperCase();
  const aggregate = AGGREGATES[fn];
  if (aggregate) {
    const [arg] = args;
    if (args.length !== 1 || arg === undefined) throw fail(`${fn} takes one argument`);
    if (typeof arg === "number") return arg;
    if (!Array.isArray(arg)) return arg.points.size === 0 ? Number.NaN : aggregate([...arg.points.values()]);
    // Of an array: point by point, over the timestamps any member has.
    const stamps = [...new Set(arg.flatMap((s) => [...s.points.keys()]))];
    const points = new Map<number, number>();
    for (const at of stamps) {
      const values = arg.flatMap((s) => (s.points.has(at) ? [s.points.get(at)!] : []));
      points.set(at, aggregate(values));
    }
    return { points, grid: arg[0]?.grid ?? [] };
  }
  if (fn === "ABS") {
    const [arg] = args;
    if (args.length !== 1 || arg === undefined || Array.isArray(arg)) throw fail("ABS takes one time series or number");
    if (typeof arg === "number") return Math.abs(arg);
    return { points: new Map([...arg.points].map(([at, v]) => [at, Math.abs(v)])), grid: arg.grid };
  }
  if (fn === "FILL") {
    const [series, value] = args;
    if (args.length !== 2 || typeof value !== "number" || series === undefined || typeof series === "number" || Array.isArray(series)) {
      throw fail("FILL takes a time series and a number (REPEAT and LINEAR are not emulated)");
    }
    const points = new Map(series.grid.map((at) => [at, series.points.get(at) ?? value]));
    return { points, grid: series.grid };
  }
  throw fail(`the local emulator does not compute ${fn}(); it knows SUM, AVG, MIN, MAX, ABS and FILL`);
}
