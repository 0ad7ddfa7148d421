/**
 * The required fields of CloudWatch's Embedded Metric Format specification, checked on one log line:
 * what CloudWatch Logs needs to turn the line into metrics (otherwise it stays a plain log event).
 * Returns the problems found; an empty list means the line is valid EMF.
 */

const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function emfProblems(line: string): string[] {
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    return ['not JSON'];
  }
  if (!isObject(root)) return ['root is not an object'];
  const aws = root._aws;
  if (!isObject(aws)) return ['_aws is missing or not an object'];
  const problems: string[] = [];
  if (typeof aws.Timestamp !== 'number' || !Number.isInteger(aws.Timestamp) || aws.Timestamp <= 0) {
    problems.push('_aws.Timestamp must be milliseconds since the epoch');
  }
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0) {
    return [...problems, '_aws.CloudWatchMetrics must be a non-empty array'];
  }
  for (const directive of directives) {
    if (!isObject(directive)) {
      problems.push('a MetricDirective is not an object');
      continue;
    }
    const namespace = directive.Namespace;
    if (typeof namespace !== 'string' || namespace.length === 0 || namespace.length > 255) {
      problems.push('Namespace must be a string of 1-255 characters');
    }
    if (!Array.isArray(directive.Dimensions)) problems.push('Dimensions must be an array of DimensionSets');
    for (const set of (directive.Dimensions as unknown[]) ?? []) {
      if (!Array.isArray(set) || set.length > 30) {
        problems.push('a DimensionSet must be an array of at most 30 keys');
        continue;
      }
      for (const key of set) {
        if (typeof key !== 'string' || typeof root[key] !== 'string') {
          problems.push(`dimension ${String(key)} must name a string member of the root`);
        }
      }
    }
    const metrics = directive.Metrics;
    if (!Array.isArray(metrics) || metrics.length > 100) {
      problems.push('Metrics must be an array of at most 100 MetricDefinitions');
      continue;
    }
    for (const metric of metrics) {
      if (!isObject(metric) || typeof metric.Name !== 'string' || metric.Name.length === 0) {
        problems.push('a MetricDefinition needs a Name');
        continue;
      }
      if (metric.Unit !== undefined && !UNITS.has(String(metric.Unit))) {
        problems.push(`metric ${metric.Name} has unit ${String(metric.Unit)}, not a CloudWatch unit`);
      }
      const value = root[metric.Name];
      const numeric = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
      if (!(numeric(value) || (Array.isArray(value) && value.length <= 100 && value.every(numeric)))) {
        problems.push(`metric ${metric.Name} must have a number (or array of numbers) at the root`);
      }
    }
  }
  return problems;
}
