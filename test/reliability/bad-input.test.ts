/**
 * Property-based fuzzing (fast-check, bounded runs and time) of what a function can send the extension:
 * paths, query strings and headers, as raw bytes on a socket to the built extension (real process,
 * moto behind a counting proxy), in both modes (a process of its own, and in-process). Whatever arrives: no 5xx, no crash, never the token in a response,
 * and a cached value only in a 200 answer to a request for exactly that name with a valid token.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXTENSION_MODES,
  type ExtensionMode,
  type ExtensionProcess,
  startExtension,
} from '../helpers/extension-process.js';
import { freePort } from '../helpers/free-port.js';
import { get, getWithToken, TEST_TOKEN } from '../helpers/http.js';
import { AWS_TEST_ENV, MOTO_ENDPOINT, motoSecretsManager, motoSsm, resetMoto } from '../helpers/moto.js';
import { exchange, type RawExchange, rawRequest } from '../helpers/raw-http.js';
import { type FaultProxy, startFaultProxy } from './helpers/fault-proxy.js';

const PARAMETER = '/reliability/fuzz/param';
const PARAMETER_VALUE = 'fuzz-parameter-value-6d2e';
const SECURE = '/reliability/fuzz/secure';
const SECURE_PLAINTEXT = 'fuzz-secure-plaintext-e93b';
const SECRET = 'reliability-fuzz-secret';
const SECRET_VALUE = 'fuzz-secret-value-b81f';
const PARAMETER_PATH = '/systemsmanager/parameters/get';
const SECRET_PATH = '/secretsmanager/get';
const BATCH_PATHS = [
  '/systemsmanager/parameters/getparameters',
  '/systemsmanager/parameters/getbypath',
  '/secretsmanager/batchget',
];
const TOKEN_LINE = `X-Aws-Parameters-Secrets-Token: ${TEST_TOKEN}`;
/** Each property stops after this many runs or this long, whichever comes first. */
const RUNS = 150;
const TIME_LIMIT_MS = 20_000;
/** Node's default limit for the request line plus headers. */
const MAX_HEADER_BYTES = 16 * 1024;

let proxy: FaultProxy;
let extension: ExtensionProcess;

/** Whose values a body may carry: the names in the 200 answer's JSON (a single read's, or a batch's). */
function servedNames(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      Parameter?: { Name?: unknown };
      Name?: unknown;
      Parameters?: Array<{ Name?: unknown }>;
      SecretValues?: Array<{ Name?: unknown }>;
    };
    const names = [
      parsed.Parameter?.Name,
      parsed.Name,
      ...(parsed.Parameters ?? []).map((item) => item.Name),
      ...(parsed.SecretValues ?? []).map((item) => item.Name),
    ];
    return names.filter((name): name is string => typeof name === 'string');
  } catch {
    return [];
  }
}

/**
 * Whether a body carries the decrypted SecureString. By value, not by substring: moto's stand-in for
 * the KMS ciphertext (`kms:alias/aws/ssm:<plaintext>`) contains the plaintext.
 */
function carriesDecrypted(body: Buffer): boolean {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { Parameter?: { Value?: unknown } };
    return parsed.Parameter?.Value === SECURE_PLAINTEXT;
  } catch {
    return false;
  }
}

/** The rules every answer obeys, whatever was sent. */
function checkExchange(result: RawExchange, tokenValid: boolean): void {
  expect(result.raw.includes(TEST_TOKEN), 'token in a response').toBe(false);
  for (const response of result.responses) {
    expect(response.status, 'a 5xx').toBeLessThan(500);
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(carriesDecrypted(response.body), 'decrypted SecureString outside its own test').toBe(false);
    const carriesParameter = response.body.includes(PARAMETER_VALUE);
    const carriesSecret = response.body.includes(SECRET_VALUE);
    if (carriesParameter || carriesSecret) {
      expect(response.status).toBe(200);
      expect(tokenValid).toBe(true);
      expect(servedNames(response.body)).toContain(carriesParameter ? PARAMETER : SECRET);
    }
    if (response.status === 400 && response.body.length > 0) {
      // Our own 400s name the problem in AWS's JSON error shape.
      const body = JSON.parse(response.body.toString('utf8')) as { __type?: unknown; message?: unknown };
      expect(typeof body.__type).toBe('string');
      expect(typeof body.message).toBe('string');
    }
  }
  // Also whatever bytes came back outside a parsed response.
  expect(result.raw.includes(SECRET_VALUE) && result.responses.length === 0).toBe(false);
}

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Characters that stress URL handling, as single units. */
const URL_UNITS = [
  ..."%/:+=&;#?.\\ab0 ~@!$'()*,",
  '%2F',
  '%3A',
  '%00',
  '%0A',
  '%0d%0a',
  '%ZZ',
  '%E0%A4',
  '%FF',
  '%C0%AF',
];

const urlish = fc.string({ unit: fc.constantFrom(...URL_UNITS), maxLength: 40 });
const anyBytes = fc.uint8Array({ maxLength: 24 }).map((array) => Buffer.from(array));
const encodedUnicode = fc.string({ unit: 'grapheme', maxLength: 30 }).map((text) => encodeURIComponent(text));
const controlChars = fc
  .array(fc.integer({ min: 0, max: 0x1f }), { minLength: 1, maxLength: 6 })
  .map((codes) => codes.map((code) => `%${code.toString(16).padStart(2, '0')}`).join(''));

/** A query value: well-formed, broken, huge, raw bytes or control characters (huge ones rarely). */
const queryValue: fc.Arbitrary<Buffer> = fc.oneof(
  { arbitrary: urlish.map(bytes), weight: 4 },
  { arbitrary: encodedUnicode.map(bytes), weight: 3 },
  { arbitrary: controlChars.map(bytes), weight: 2 },
  { arbitrary: anyBytes, weight: 2 },
  {
    arbitrary: fc
      .constantFrom(
        PARAMETER,
        SECRET,
        encodeURIComponent(PARAMETER),
        `${PARAMETER},${SECRET}`,
        `${SECRET},,${SECRET}`,
        `${PARAMETER}%2C/x`,
        ',',
        '/reliability/',
        Array.from({ length: 51 }, (_, i) => `/n${i}`).join(','),
        'true',
        'TRUE',
        '1',
        'false',
        'maybe',
        '',
      )
      .map(bytes),
    weight: 4,
  },
  { arbitrary: fc.integer({ min: 2_040, max: 2_060 }).map((n) => bytes('n'.repeat(n))), weight: 1 },
  { arbitrary: fc.integer({ min: 5_000, max: 20_000 }).map((n) => bytes('x'.repeat(n))), weight: 1 },
);

const queryKey = fc.oneof(
  { arbitrary: fc.constantFrom('name', 'secretId', 'names', 'secretIds', 'path'), weight: 4 },
  {
    arbitrary: fc.constantFrom(
      'version',
      'label',
      'withDecryption',
      'refreshNow',
      'recursive',
      'versionId',
      'versionStage',
      'Name',
      'name%00',
      '%6Eame',
    ),
    weight: 3,
  },
  { arbitrary: urlish, weight: 1 },
);

/** Pairs (some without `=`), repeated keys welcome, up to a dozen, total size mostly under Node's limit. */
const query = fc
  .array(fc.tuple(queryKey, fc.option(queryValue, { nil: undefined, freq: 8 })), { maxLength: 12 })
  .map((pairs) =>
    Buffer.concat(
      pairs.flatMap(([key, value], index) => [
        bytes(index === 0 ? '' : '&'),
        bytes(key),
        ...(value === undefined ? [] : [bytes('='), value]),
      ]),
    ),
  );

beforeAll(async () => {
  await resetMoto();
  await motoSsm().send(new PutParameterCommand({ Name: PARAMETER, Value: PARAMETER_VALUE, Type: 'String' }));
  await motoSsm().send(
    new PutParameterCommand({ Name: SECURE, Value: SECURE_PLAINTEXT, Type: 'SecureString' }),
  );
  await motoSecretsManager().send(new CreateSecretCommand({ Name: SECRET, SecretString: SECRET_VALUE }));
  proxy = await startFaultProxy(MOTO_ENDPOINT);
});

afterAll(async () => {
  await proxy?.close();
});

/** The extension of one mode, with both values (and the decrypted SecureString) cached. */
async function startCached(mode: ExtensionMode): Promise<ExtensionProcess> {
  const started = await startExtension({
    port: await freePort(),
    env: {
      ...AWS_TEST_ENV,
      AWS_ENDPOINT_URL: proxy.url,
      AWS_SESSION_TOKEN: TEST_TOKEN,
      SSM_PARAMETER_STORE_TIMEOUT_MILLIS: '3000',
      SECRETS_MANAGER_TIMEOUT_MILLIS: '3000',
    },
    mode,
  });
  // Both values cached, so the cached-hit branch of the pipeline is exercised by every matching request.
  expect((await getWithToken(`${started.baseUrl}${PARAMETER_PATH}?name=${PARAMETER}`)).status).toBe(200);
  expect((await getWithToken(`${started.baseUrl}${SECRET_PATH}?secretId=${SECRET}`)).status).toBe(200);
  // The decrypted SecureString is cached too: the one value a caller without withDecryption must never get.
  const decrypted = await getWithToken(
    `${started.baseUrl}${PARAMETER_PATH}?name=${SECURE}&withDecryption=true`,
  );
  expect(carriesDecrypted(Buffer.from(decrypted.text))).toBe(true);
  return started;
}

const limits = { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, endOnFailure: true } as const;

describe.each(EXTENSION_MODES)('fuzzing (%s)', (mode) => {
  beforeAll(async () => {
    extension = await startCached(mode);
  });
  afterAll(async () => {
    await extension?.stop();
  });

  it('paths: any bytes in the path give no 5xx and leak nothing', async () => {
    const segment = fc.oneof(urlish.map(bytes), anyBytes, fc.constantFrom('..', '.', '', 'ping').map(bytes));
    const path = fc.oneof(
      fc
        .array(segment, { maxLength: 6 })
        .map((parts) => Buffer.concat(parts.flatMap((part) => [bytes('/'), part]))),
      fc
        .constantFrom(
          PARAMETER_PATH,
          SECRET_PATH,
          ...BATCH_PATHS,
          '/metrics',
          '//secretsmanager//get/',
          '/ping/',
          '*',
        )
        .map(bytes),
    );
    await fc.assert(
      fc.asyncProperty(path, fc.option(query, { nil: undefined }), async (target, search) => {
        const full = search === undefined ? target : Buffer.concat([target, bytes('?'), search]);
        checkExchange(await rawRequest(extension.port, full, [TOKEN_LINE]), true);
      }),
      limits,
    );
  });

  it('query strings: bad encodings, huge values, repeats, control characters and raw bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(PARAMETER_PATH, `${PARAMETER_PATH}/`, SECRET_PATH, ...BATCH_PATHS),
        query,
        async (path, search) => {
          const target = Buffer.concat([bytes(`${path}?`), search]);
          const result = await rawRequest(extension.port, target, [TOKEN_LINE], 10_000);
          checkExchange(result, true);
          expect(result.responses).toHaveLength(1);
          if (target.length + TOKEN_LINE.length + 64 > MAX_HEADER_BYTES) {
            // Too large for Node's parser: 431, or 400 if a byte it refuses comes before the limit.
            expect([400, 431]).toContain(result.responses[0]?.status);
          }
        },
      ),
      limits,
    );
  });

  it('names that pass validation reach the backend and come back as a clean 200 or 400', async () => {
    const before = proxy.calls();
    const name = fc.oneof(
      encodedUnicode,
      controlChars.map((codes) => `a${codes}b`),
      urlish.filter((text) => !text.includes('&') && !text.includes('%') && text !== ''),
      fc
        .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 80 })
        .map((text) => encodeURIComponent(text)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('name', 'secretId'),
        name,
        fc.boolean(),
        async (key, value, decrypt) => {
          const path = key === 'name' ? PARAMETER_PATH : SECRET_PATH;
          const target = `${path}?${key}=${value}${decrypt ? '&withDecryption=true' : ''}`;
          const result = await rawRequest(extension.port, target, [TOKEN_LINE], 10_000);
          checkExchange(result, true);
          expect(result.responses).toHaveLength(1);
          expect([200, 400]).toContain(result.responses[0]?.status);
        },
      ),
      limits,
    );
    // Most of these were misses that went to moto (a few are refused first: empty or too long).
    expect(proxy.calls() - before).toBeGreaterThan(RUNS / 2);
  });

  it('withDecryption: the plaintext of a cached SecureString only when the first withDecryption says true', async () => {
    const spelling = fc.constantFrom(
      'withDecryption',
      '%77ithDecryption',
      'WithDecryption',
      'withdecryption',
    );
    const flagValue = fc.constantFrom(
      ...[
        'true',
        'TRUE',
        'True',
        't',
        'T',
        '1',
        'tru%65',
        'false',
        'FALSE',
        'f',
        '0',
        '',
        'maybe',
        'yes',
        'true;x',
      ],
    );
    const pair = fc.oneof(
      { arbitrary: fc.tuple(spelling, flagValue).map(([key, value]) => `${key}=${value}`), weight: 3 },
      {
        arbitrary: fc.constantFrom('version=', 'label=', 'x=1', 'withDecryption', 'refreshNow=false'),
        weight: 1,
      },
    );
    /** Independent oracle: Go's ParseQuery (pairs with `;` dropped, first value wins) and ParseBool. */
    const expected = (pairs: readonly string[]): 'plaintext' | 'ciphertext' | 'refused' => {
      for (const raw of pairs) {
        if (raw.includes(';')) continue;
        const [key = '', value = ''] = raw.split('=');
        if (decodeURIComponent(key) !== 'withDecryption') continue;
        const flag = decodeURIComponent(value).toLowerCase();
        if (['true', 't', '1'].includes(flag)) return 'plaintext';
        if (['false', 'f', '0', ''].includes(flag)) return 'ciphertext';
        return 'refused';
      }
      return 'ciphertext';
    };
    await fc.assert(
      fc.asyncProperty(fc.array(pair, { maxLength: 5 }), fc.nat(5), async (pairs, at) => {
        const all = [...pairs];
        all.splice(Math.min(at, all.length), 0, `name=${SECURE}`);
        const result = await rawRequest(extension.port, `${PARAMETER_PATH}?${all.join('&')}`, [TOKEN_LINE]);
        const [response] = result.responses;
        const outcome = expected(all);
        expect(response?.status).toBe(outcome === 'refused' ? 400 : 200);
        expect(response !== undefined && carriesDecrypted(response.body)).toBe(outcome === 'plaintext');
        expect(result.raw.includes(TEST_TOKEN)).toBe(false);
      }),
      limits,
    );
  });

  it('headers: token header in any casing, duplicated, wrong, missing; junk and oversized headers', async () => {
    const casing = fc.array(fc.boolean(), { minLength: 30, maxLength: 30 });
    const variant = fc.constantFrom(
      'valid',
      'wrong',
      'prefix',
      'duplicate-same',
      'duplicate-mixed',
      'missing',
      'empty',
    );
    const junkName = fc
      .stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/)
      .filter((name) => !/^x-(forwarded-for|aws-parameters-secrets-token)$/i.test(name));
    // Visible ASCII, space and tab: valid field values (control characters are the parser's 400, tested above).
    const junkValue = fc.stringMatching(/^[\x20-\x7e\t]{0,60}$/);
    const junk = fc.array(fc.tuple(junkName, junkValue), { maxLength: 8 });
    const oversized = fc.boolean();
    const target = fc.constantFrom(
      `${PARAMETER_PATH}?name=${PARAMETER}`,
      `${SECRET_PATH}?secretId=${SECRET}`,
    );

    await fc.assert(
      fc.asyncProperty(casing, variant, junk, oversized, target, async (cases, kind, extra, big, url) => {
        const name = [...'x-aws-parameters-secrets-token']
          .map((char, i) => (cases[i] ? char.toUpperCase() : char))
          .join('');
        const tokenLines: Record<string, string[]> = {
          valid: [`${name}: ${TEST_TOKEN}`],
          wrong: [`${name}: ${TEST_TOKEN.toUpperCase()}`],
          prefix: [`${name}: ${TEST_TOKEN.slice(0, -1)}`],
          'duplicate-same': [`${name}: ${TEST_TOKEN}`, `${name}: ${TEST_TOKEN}`],
          'duplicate-mixed': [`${name}: wrong`, `${name}: ${TEST_TOKEN}`],
          missing: [],
          empty: [`${name}:`],
        };
        const lines = [
          ...extra.map(([key, value]) => `${key}: ${value}`),
          ...(tokenLines[kind] ?? []),
          ...(big ? [`X-Padding: ${'p'.repeat(MAX_HEADER_BYTES + 1_000)}`] : []),
        ];
        const result = await rawRequest(extension.port, url, lines);
        const valid = kind === 'valid';
        checkExchange(result, valid);
        const [response] = result.responses;
        const expected = big ? 431 : valid ? 200 : 401;
        expect(response?.status).toBe(expected);
        if (expected === 401) expect(response?.body.toString()).toBe('bad session token or header key');
      }),
      limits,
    );
  });

  it('methods and bodies: any method, content type and body size gives a 4xx at most', async () => {
    const method = fc.constantFrom(
      'GET',
      'HEAD',
      'POST',
      'PUT',
      'DELETE',
      'PATCH',
      'OPTIONS',
      'TRACE',
      'PROPFIND',
      'FOO',
    );
    const contentType = fc.constantFrom(
      undefined,
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'x/y',
    );
    const bodySize = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 64 }), fc.constant(1_100_000));
    const target = fc.constantFrom(
      `${PARAMETER_PATH}?name=${PARAMETER}`,
      `${SECRET_PATH}?secretId=${SECRET}`,
      '/ping',
      '/x',
    );
    await fc.assert(
      fc.asyncProperty(method, contentType, bodySize, target, async (verb, type, size, url) => {
        const body = Buffer.alloc(size, 0x7b); // '{{{…': not JSON either
        const head = [
          `${verb} ${url} HTTP/1.1`,
          'Host: localhost',
          TOKEN_LINE,
          ...(type === undefined ? [] : [`Content-Type: ${type}`]),
          ...(size > 0 ? [`Content-Length: ${size}`] : []),
          'Connection: close',
          '',
          '',
        ].join('\r\n');
        const result = await exchange(extension.port, [Buffer.concat([bytes(head), body])], {
          timeoutMs: 10_000,
        });
        checkExchange(result, verb === 'GET' || verb === 'HEAD');
        for (const response of result.responses) {
          if (verb !== 'GET' && verb !== 'HEAD') expect(response.status).toBeGreaterThanOrEqual(400);
        }
      }),
      { ...limits, numRuns: 60 },
    );
  });

  it('thousands of parameters and repeated keys: the first value of the key wins', async () => {
    const filler = Array.from({ length: 2_000 }, (_, i) => `k${i}=v`).join('&');
    const lastName = await rawRequest(extension.port, `${PARAMETER_PATH}?${filler}&name=${PARAMETER}`, [
      TOKEN_LINE,
    ]);
    expect(lastName.responses[0]?.status).toBe(200);
    const repeated = Array.from({ length: 500 }, () => 'name=%2Fnot%2Fthere').join('&');
    const firstWins = await rawRequest(extension.port, `${PARAMETER_PATH}?name=${PARAMETER}&${repeated}`, [
      TOKEN_LINE,
    ]);
    expect(firstWins.responses[0]?.status).toBe(200);
    checkExchange(firstWins, true);
    const otherFirst = await rawRequest(extension.port, `${PARAMETER_PATH}?${repeated}&name=${PARAMETER}`, [
      TOKEN_LINE,
    ]);
    expect(otherFirst.responses[0]?.status).toBe(400);
    expect(otherFirst.raw.includes(PARAMETER_VALUE)).toBe(false);
  });

  it('is still up, logged no internal failure, and logged neither the token nor a value', async () => {
    expect(extension.child.exitCode).toBeNull();
    expect((await get(`${extension.baseUrl}/ping`)).status).toBe(200);
    expect((await getWithToken(`${extension.baseUrl}${PARAMETER_PATH}?name=${PARAMETER}`)).status).toBe(200);
    const output = extension.output();
    expect(output).not.toMatch(/internal failure|Uncaught exception|Unhandled rejection/);
    for (const secret of [TEST_TOKEN, PARAMETER_VALUE, SECRET_VALUE, SECURE_PLAINTEXT]) {
      expect(output).not.toContain(secret);
    }
  });
});
