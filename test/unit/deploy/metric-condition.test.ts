import { describe, expect, it } from "vitest";
import { ConditionSyntaxError, conditionSubjects, evaluateCondition, parseCondition, subjectValue } from "../../../lib/config/metric-condition.ts";

const holds = (condition: string, newestFirst: number[]) => evaluateCondition(parseCondition(condition), newestFirst);

function syntaxError(condition: string): ConditionSyntaxError {
  try {
    parseCondition(condition);
  } catch (error) {
    if (error instanceof ConditionSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected "${condition}" to be refused`);
}

describe("metric conditions", () => {
  it("compares the latest datapoint, or an aggregate of the window, with a number", () => {
    const series = [0.5, 3, 1]; // newest first
    expect(holds("result < 1", series)).toBe(true);
    expect(holds("max(result) < 1", series)).toBe(false);
    expect(holds("avg(result) == 1.5", series)).toBe(true);
    expect(holds("min(result) >= 0.5", series)).toBe(true);
    expect(holds("sum(result) > 4.4", series)).toBe(true);
    expect(holds("count(result) != 3", series)).toBe(false);
    expect(holds("result <= -1e-3", [-0.01])).toBe(true);
  });

  it("joins comparisons with and / or (and binding tighter) and parentheses", () => {
    expect(holds("result > 5 or result < 1 and count(result) >= 3", [0.5, 3, 1])).toBe(true);
    expect(holds("(result > 5 or result < 1) and count(result) >= 4", [0.5, 3, 1])).toBe(false);
    expect(conditionSubjects(parseCondition("max(result) < 5 and count(result) >= 3 or max(result) < 1"))).toEqual(["max", "count"]);
  });

  it("is unknown without data, unless the condition itself decides (three-valued logic)", () => {
    expect(holds("result < 1", [])).toBeUndefined();
    expect(holds("avg(result) < 1 or result > 2", [])).toBeUndefined();
    expect(holds("count(result) >= 3 and avg(result) < 1", [])).toBe(false);
    expect(holds("count(result) == 0 or avg(result) < 1", [])).toBe(true);
    expect(subjectValue("count", [])).toBe(0);
    expect(subjectValue("max", [])).toBeUndefined();
  });

  it("refuses what is not the syntax, saying where and what to write", () => {
    expect(syntaxError("result < ").message).toBe('column 10: expected a number after "<" (found the end)');
    expect(syntaxError("result = 1").message).toContain('column 8: "=" is not a comparison: write ==');
    expect(syntaxError("result < 1 && count(result) > 2").message).toBe('column 12: write "and" instead of "&&"');
    expect(syntaxError("latency < 1").message).toContain('column 1: expected result (the latest datapoint) or avg(result)');
    expect(syntaxError("avg(latency) < 1").message).toBe("column 5: avg() takes result: write avg(result)");
    expect(syntaxError("0.01 > result").message).toContain('put the measured value first, e.g. "result > 0.01"');
    expect(syntaxError("result < 1 result").message).toContain('column 12: expected "and", "or" or the end (found "result")');
    expect(syntaxError("process.exit() < 1").message).toContain('column 8: unexpected "."');
    expect(syntaxError("").message).toContain("empty condition");
    expect(syntaxError(`result < ${"1".repeat(300)}`).message).toContain("at most 256 characters");
  });
});
