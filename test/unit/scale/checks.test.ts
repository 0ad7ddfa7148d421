import { describe, expect, it } from 'vitest';
import { violations } from '../../../scale/checks.js';
import { readFigures } from '../../../scale/figures.js';
import type { StandInStats } from '../../../scale/standin/server.js';

const apis = {
  GetParameter: { calls: 0, throttled: 0 },
  GetParameters: { calls: 0, throttled: 0 },
  GetParametersByPath: { calls: 0, throttled: 0 },
  GetSecretValue: { calls: 0, throttled: 0 },
  BatchGetSecretValue: { calls: 0, throttled: 0 },
};

function stats(acceptedAt: number[], rejected = 0): StandInStats {
  return {
    apis,
    families: [{ name: 'ssm:reads', rate: 10, capacity: 10, acceptedAt }],
    kmsDecrypts: 0,
    kmsThrottled: 0,
    rejected,
  };
}

const read = (failure: string | undefined) => ({
  phase: 'init' as const,
  startedAt: 0,
  latencyMs: 1,
  failure,
});

describe('the burst model invariants', () => {
  it('holds for a run within its quota whose reads failed only with ThrottlingException', () => {
    const reads = readFigures([
      { reads: [read(undefined), read('ThrottlingException')], servedAt: 5, initMs: 5 },
    ]);
    expect(violations(reads, stats([0, 100, 200]), 2)).toEqual([]);
  });

  it('names a family that accepted more than its quota', () => {
    const reads = readFigures([{ reads: [read(undefined)], servedAt: 5, initMs: 5 }]);
    expect(violations(reads, stats(Array(12).fill(0)), 1)).toEqual([
      expect.stringMatching(/^ssm:reads: 2\.000 calls above 10\/s/),
    ]);
  });

  it('names reads that failed with anything but AWS throttling, reads never answered, requests not understood', () => {
    const reads = readFigures([{ reads: [read('ConnectionError')], servedAt: undefined, initMs: 5 }]);
    expect(violations(reads, stats([], 3), 2)).toEqual([
      '1 reads failed with ConnectionError, not an AWS throttling error',
      '1 INIT reads answered, 2 made',
      '3 requests the stand-in could not route or parse',
    ]);
  });
});
