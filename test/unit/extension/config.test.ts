import { describe, expect, it } from 'vitest';
import { DEFAULTS, ENV, loadConfig } from '../../../extension/src/config.js';

const warnings = (env: Record<string, string>) =>
  loadConfig(env)
    .issues.filter((issue) => issue.level === 'WARN')
    .map((issue) => issue.message);

describe('loadConfig', () => {
  it("uses AWS's defaults when nothing is set", () => {
    const { config } = loadConfig({});

    expect(config).toMatchObject({
      port: 2773,
      logLevel: 'INFO',
      cacheEnabled: true,
      cacheSize: 1000,
      maxConnections: 3,
      ssm: { ttlMs: 300_000, timeoutMs: 0 },
      secretsManager: { ttlMs: 300_000, timeoutMs: 0 },
      staleOnError: false,
      staleMaxAgeMs: 0,
      refreshAheadPercent: 0,
      metricsEmf: false,
      prefetchParameters: [],
      prefetchSecrets: [],
      runtimeApi: undefined,
      inProcess: false,
    });
  });

  it('runs in-process only for true (any case); anything else warns, naming the variable, and keeps the separate process', () => {
    expect(loadConfig({ [ENV.inProcess]: 'true' }).config.inProcess).toBe(true);
    expect(loadConfig({ [ENV.inProcess]: ' TRUE ' }).config.inProcess).toBe(true);
    expect(loadConfig({ [ENV.inProcess]: 'False' }).config.inProcess).toBe(false);
    expect(warnings({ [ENV.inProcess]: 'false', AWS_SESSION_TOKEN: 't' })).toEqual([]);
    for (const value of ['1', 'yes', 't']) {
      expect(loadConfig({ [ENV.inProcess]: value }).config.inProcess).toBe(false);
      expect(warnings({ [ENV.inProcess]: value, AWS_SESSION_TOKEN: 't' })).toEqual([
        `PARAMETERS_SECRETS_EXTENSION_IN_PROCESS is "${value}", not true or false. Using false (a process of its own).`,
      ]);
    }
  });

  it('refreshes ahead at 80% by default in a multi-concurrent environment, unless told otherwise', () => {
    expect(loadConfig({ [ENV.maxConcurrency]: '16' }).config.refreshAheadPercent).toBe(80);
    expect(loadConfig({ [ENV.maxConcurrency]: '' }).config.refreshAheadPercent).toBe(0);
    expect(
      loadConfig({ [ENV.maxConcurrency]: '16', [ENV.refreshAhead]: '0' }).config.refreshAheadPercent,
    ).toBe(0);
    expect(
      loadConfig({ [ENV.maxConcurrency]: '16', [ENV.refreshAhead]: '50' }).config.refreshAheadPercent,
    ).toBe(50);
  });

  it('notes each default taken at DEBUG, like AWS does', () => {
    const debug = loadConfig({ AWS_SESSION_TOKEN: 't' }).issues.filter((issue) => issue.level === 'DEBUG');
    expect(debug.map((issue) => issue.message)).toContain(
      'SECRETS_MANAGER_TTL is not present. Setting default time-to-live: 5m0s.',
    );
  });

  it('reads every variable', () => {
    const { config, issues } = loadConfig({
      [ENV.port]: '2774',
      [ENV.logLevel]: 'debug',
      [ENV.cacheEnabled]: 'false',
      [ENV.cacheSize]: '0',
      [ENV.maxConnections]: '10',
      [ENV.ssmTtl]: '0',
      [ENV.secretsTtl]: '120',
      [ENV.ssmTimeout]: '1500',
      [ENV.secretsTimeout]: '2500',
      [ENV.staleOnError]: 'TRUE',
      [ENV.staleMaxAge]: '900',
      [ENV.refreshAhead]: '80',
      [ENV.metricsEmf]: 'true',
      [ENV.prefetchParameters]: '/a, /b,/a,,',
      [ENV.prefetchSecrets]: 's1',
      [ENV.sessionToken]: 'session',
      [ENV.runtimeApi]: '127.0.0.1:9001',
    });

    expect(issues.filter((issue) => issue.level === 'WARN')).toEqual([]);
    expect(config).toMatchObject({
      port: 2774,
      logLevel: 'DEBUG',
      cacheEnabled: false,
      cacheSize: 0,
      maxConnections: 10,
      ssm: { ttlMs: 0, timeoutMs: 1500 },
      secretsManager: { ttlMs: 120_000, timeoutMs: 2500 },
      staleOnError: true,
      staleMaxAgeMs: 900_000,
      refreshAheadPercent: 80,
      metricsEmf: true,
      prefetchParameters: ['/a', '/b'],
      prefetchSecrets: ['s1'],
      tokens: ['session'],
      runtimeApi: '127.0.0.1:9001',
    });
  });

  it.each([
    [ENV.port, '0', 'port', DEFAULTS.port],
    [ENV.port, '65536', 'port', DEFAULTS.port],
    [ENV.port, 'http', 'port', DEFAULTS.port],
    [ENV.cacheSize, '1001', 'cacheSize', 1000],
    [ENV.cacheSize, '-1', 'cacheSize', 1000],
    [ENV.maxConnections, '0', 'maxConnections', 3],
    [ENV.maxConnections, '2.5', 'maxConnections', 3],
    [ENV.cacheEnabled, 'yes', 'cacheEnabled', true],
    [ENV.staleOnError, 'maybe', 'staleOnError', false],
    [ENV.refreshAhead, '100', 'refreshAheadPercent', 0],
    [ENV.refreshAhead, '0.8', 'refreshAheadPercent', 0],
    [ENV.staleMaxAge, '86401', 'staleMaxAgeMs', 0],
    [ENV.staleMaxAge, '5m', 'staleMaxAgeMs', 0],
    [ENV.metricsEmf, 'on', 'metricsEmf', false],
    [ENV.logLevel, 'verbose', 'logLevel', 'INFO'],
  ] as const)(
    'reports %s=%j once, naming the variable, and uses the default',
    (name, value, field, expected) => {
      const { config, issues } = loadConfig({ [name]: value, AWS_SESSION_TOKEN: 't' });
      const warned = issues.filter((issue) => issue.level === 'WARN');

      expect(config[field]).toBe(expected);
      expect(warned).toHaveLength(1);
      expect(warned[0]?.message).toContain(name);
      expect(warned[0]?.message).toContain(JSON.stringify(value));
    },
  );

  it("clamps a TTL above 300 s to 300 s with AWS's WARN wording", () => {
    const { config, issues } = loadConfig({ [ENV.secretsTtl]: '3600', AWS_SESSION_TOKEN: 't' });

    expect(config.secretsManager.ttlMs).toBe(300_000);
    expect(issues).toContainEqual({
      level: 'WARN',
      message: 'SECRETS_MANAGER_TTL exceeds max limit. Setting Secrets Manager TTL to 5m0s.',
    });
  });

  it('lifts the TTL ceiling with PARAMETERS_SECRETS_EXTENSION_MAX_TTL', () => {
    const { config } = loadConfig({ [ENV.maxTtl]: '3600', [ENV.ssmTtl]: '2700', [ENV.secretsTtl]: '7200' });

    expect(config.ssm.ttlMs).toBe(2_700_000);
    expect(config.secretsManager.ttlMs).toBe(3_600_000);
  });

  it('reports a non-numeric TTL and uses 300 s', () => {
    const { config } = loadConfig({ [ENV.ssmTtl]: '5m' });
    expect(config.ssm.ttlMs).toBe(300_000);
    expect(warnings({ [ENV.ssmTtl]: '5m', AWS_SESSION_TOKEN: 't' })).toEqual([
      'SSM_PARAMETER_STORE_TTL is "5m", not a whole number of seconds. Setting Parameter Store TTL to 5m0s.',
    ]);
  });

  it('parses the log level in any case', () => {
    expect(loadConfig({ [ENV.logLevel]: 'wArN' }).config.logLevel).toBe('WARN');
    expect(loadConfig({ [ENV.logLevel]: 'none' }).config.logLevel).toBe('NONE');
  });

  it('accepts the session token, the SnapStart container token and our own variable', () => {
    const { config } = loadConfig({
      [ENV.sessionToken]: 'a',
      [ENV.containerToken]: 'b',
      [ENV.token]: 'c',
    });
    expect(config.tokens).toEqual(['a', 'b', 'c']);
  });

  it('warns, without crashing, when no token is set', () => {
    expect(warnings({})).toEqual([expect.stringContaining('every request except /ping is refused with 401')]);
  });

  it('never shows a token value in a message', () => {
    const { issues } = loadConfig({ [ENV.token]: 'very-secret-token', [ENV.port]: 'x' });
    expect(JSON.stringify(issues)).not.toContain('very-secret-token');
  });

  it('bounds the prefetch lists', () => {
    const names = Array.from({ length: 150 }, (_, i) => `/p${i}`).join(',');
    const { config } = loadConfig({ [ENV.prefetchParameters]: names });
    expect(config.prefetchParameters).toHaveLength(DEFAULTS.maxPrefetch);
    expect(warnings({ [ENV.prefetchParameters]: names, AWS_SESSION_TOKEN: 't' })[0]).toContain(
      ENV.prefetchParameters,
    );
  });
});
