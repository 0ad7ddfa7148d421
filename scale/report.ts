/** The comparison table, as markdown: printed by `make scale` and written into docs/scale.md. */
import type { BackendFigures, ReadFigures } from './figures.js';

export interface Run {
  readonly strategy: string;
  readonly label: string;
  readonly quotas: string;
  /** Counts were measured on sandboxes / factor against quotas / factor; the table multiplies them back. */
  readonly factor: number;
  readonly reads: ReadFigures;
  readonly backend: BackendFigures;
  readonly violations: readonly string[];
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);
const millis = (ms: number): string => String(Math.round(ms));

export function table(runs: readonly Run[]): string {
  const header = [
    'strategy',
    'quotas',
    'backend calls',
    'throttled',
    'failed reads (INIT / invokes)',
    'failed INITs',
    'INITs > 10 s',
    'INIT read p50 / p99 / max ms',
    'invoke read p99 / max ms',
    'fully served after s',
  ];
  const rows = runs.map((run) => {
    const r = run.reads;
    const n = (count: number): string => String(count * run.factor);
    return [
      run.label,
      run.quotas,
      n(run.backend.calls),
      n(run.backend.throttled),
      `${n(r.initFailed + r.invokeFailed)} (${n(r.initFailed)} / ${n(r.invokeFailed)})`,
      n(r.failedInits),
      n(r.initsOverLimit),
      `${millis(r.initLatencyMs.p50)} / ${millis(r.initLatencyMs.p99)} / ${millis(r.initLatencyMs.max)}`,
      `${millis(r.invokeLatencyMs.p99)} / ${millis(r.invokeLatencyMs.max)}`,
      r.fullyServedMs === null ? `not in run (${n(r.unservedSandboxes)} left)` : seconds(r.fullyServedMs),
    ];
  });
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
