/**
 * Reading Runway's metrics in tests as CloudWatch would: from the EMF documents flushed, held to
 * the embedded metric format specification
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 */
import { StandardUnit } from "@aws-sdk/client-cloudwatch";
import { captureEmf, type EmfDocument } from "../../lib/observability/emf-capture.ts";
import { metrics } from "../../lib/observability/metrics.ts";

/** Flush what has been recorded, as `logMetrics` does when an invocation ends; returns the documents written. */
export function flushMetrics(): EmfDocument[] {
  const documents: EmfDocument[] = [];
  const release = captureEmf((document) => documents.push(document));
  try {
    metrics.publishStoredMetrics();
  } finally {
    release();
  }
  return documents;
}

export interface Figure {
  unit: string | undefined;
  values: number[];
}

/** Every figure in the documents, by metric name: its unit and every value recorded. */
export function figures(documents: EmfDocument[]): Record<string, Figure> {
  const found: Record<string, Figure> = {};
  for (const document of documents) {
    for (const directive of document._aws.CloudWatchMetrics) {
      for (const { Name, Unit } of directive.Metrics) {
        const raw = document[Name];
        const values = (Array.isArray(raw) ? raw : [raw]) as number[];
        const figure = (found[Name] ??= { unit: Unit, values: [] });
        figure.values.push(...values);
      }
    }
  }
  return found;
}

/** Flush, then the figures recorded since the last flush. */
export const flushedFigures = (): Record<string, Figure> => figures(flushMetrics());

const UNITS = new Set<string>(Object.values(StandardUnit));
const only = (object: object, allowed: string[]) => Object.keys(object).filter((key) => !allowed.includes(key));

/**
 * What in a document breaks the EMF specification (empty when nothing does): the `_aws` metadata
 * with a millisecond Timestamp, each MetricDirective's Namespace, DimensionSets (at most 30
 * members, each naming a top-level string) and MetricDefinitions (at most 100, each naming a
 * top-level number or array of at most 100 numbers, with a CloudWatch unit).
 */
export function emfProblems(document: unknown): string[] {
  const problems: string[] = [];
  const root = document as Record<string, unknown>;
  const aws = root?._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (typeof aws !== "object" || aws === null) return ["no _aws metadata object"];
  if (typeof aws.Timestamp !== "number" || !Number.isInteger(aws.Timestamp) || aws.Timestamp < 1e12) problems.push(`_aws.Timestamp ${String(aws.Timestamp)} is not epoch milliseconds`);
  if (!Array.isArray(aws.CloudWatchMetrics)) return [...problems, "_aws.CloudWatchMetrics is not an array"];
  for (const [i, directive] of (aws.CloudWatchMetrics as Record<string, unknown>[]).entries()) {
    const at = `_aws.CloudWatchMetrics[${i}]`;
    for (const extra of only(directive, ["Namespace", "Dimensions", "Metrics"])) problems.push(`${at} has a member the specification does not define: ${extra}`);
    if (typeof directive.Namespace !== "string" || directive.Namespace === "") problems.push(`${at}.Namespace is not a non-empty string`);
    if (!Array.isArray(directive.Dimensions)) problems.push(`${at}.Dimensions is not an array`);
    for (const [j, set] of ((directive.Dimensions as unknown[]) ?? []).entries()) {
      if (!Array.isArray(set) || set.length > 30) problems.push(`${at}.Dimensions[${j}] is not a DimensionSet of at most 30 names`);
      for (const name of Array.isArray(set) ? set : []) if (typeof root[name] !== "string") problems.push(`dimension ${String(name)} has no string value at the top level`);
    }
    if (!Array.isArray(directive.Metrics) || directive.Metrics.length > 100) problems.push(`${at}.Metrics is not an array of at most 100 definitions`);
    for (const definition of (directive.Metrics as Record<string, unknown>[]) ?? []) {
      for (const extra of only(definition, ["Name", "Unit", "StorageResolution"])) problems.push(`metric ${String(definition.Name)} has a member the specification does not define: ${extra}`);
      if (typeof definition.Name !== "string") problems.push(`${at} has a metric without a Name`);
      if (definition.Unit !== undefined && !UNITS.has(String(definition.Unit))) problems.push(`metric ${String(definition.Name)} has unit ${String(definition.Unit)}, not a CloudWatch unit`);
      const value = root[String(definition.Name)];
      const values = Array.isArray(value) ? value : [value];
      if (values.length > 100 || values.some((v) => typeof v !== "number")) problems.push(`metric ${String(definition.Name)} has no number (or array of at most 100) at the top level`);
    }
  }
  return problems;
}
