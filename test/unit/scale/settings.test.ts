import { describe, expect, it } from 'vitest';
import { readSettings } from '../../../scale/settings.js';

describe('burst model settings', () => {
  it("defaults to the issue's burst against both quota profiles and every strategy", () => {
    const settings = readSettings({});
    expect(settings).toMatchObject({ sandboxes: 1000, windowMs: 10_000, parameters: 5 });
    expect(settings.quotas.map((q) => q.name)).toEqual(['default', 'higher-throughput']);
    expect(settings.strategies).toContain('aws');
    expect(settings.strategies).toContain('batched');
  });

  it('refuses a bad value, naming the variable', () => {
    expect(() => readSettings({ SCALE_SANDBOXES: '1e3' })).toThrow(/SCALE_SANDBOXES/);
    expect(() => readSettings({ SCALE_STRATEGIES: 'ours,fastest' })).toThrow(/SCALE_STRATEGIES.*fastest/);
  });
});
