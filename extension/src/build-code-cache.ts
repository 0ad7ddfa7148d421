/**
 * Entry of build-code-cache.cjs, run once when an image is built (`parameters-secrets-extension
 * --build-code-cache`: the launcher runs it with the extension's own node and V8 flags, which the
 * cache must match). It loads aws.cjs as the extension does, sends the requests a function's first
 * reads cause (GetParameter, GetSecretValue, an error answer, GetParameters) to a stand-in for AWS on
 * loopback in this process, so V8 compiles what a real first miss compiles, and then writes the code
 * cache next to aws.cjs (sdk/code-cache.ts), with the built-in modules they loaded, under the V8 flag the
 * extension sets before it runs the SDK (sdk/load.ts). Nothing leaves the process; it exits 1 if anything
 * fails.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isBuiltin } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { createAwsBackends } from './backends/aws-backends.js';
import {
  codeCacheFile,
  encodeCodeCache,
  isCodeCacheFile,
  LAZY_GLOBALS,
  openBundle,
  runBundle,
} from './sdk/code-cache.js';
import { stopYoungGenerationGrowth } from './sdk/young-generation.js';

const BUNDLE = join(__dirname, 'aws.cjs');
const DATE = 1_700_000_000;

/** Canned answers in the services' JSON protocol, by X-Amz-Target. */
function answer(target: string, body: string): { status: number; json: unknown } {
  if (target.endsWith('.GetParameter')) {
    if (body.includes('missing'))
      return { status: 400, json: { __type: 'ParameterNotFound', message: 'not found' } };
    return {
      status: 200,
      json: {
        Parameter: {
          Name: '/warm',
          Type: 'String',
          Value: 'v',
          Version: 1,
          LastModifiedDate: DATE,
          ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/warm',
          DataType: 'text',
        },
      },
    };
  }
  if (target.endsWith('.GetParameters'))
    return { status: 200, json: { Parameters: [], InvalidParameters: ['/warm'] } };
  return {
    status: 200,
    json: {
      ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:warm-AbCdEf',
      Name: 'warm',
      VersionId: '00000000-0000-0000-0000-000000000000',
      SecretString: 's',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: DATE,
    },
  };
}

function standIn(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
  });
  req.on('end', () => {
    const { status, json } = answer(String(req.headers['x-amz-target'] ?? ''), body);
    res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' }).end(JSON.stringify(json));
  });
}

/** Node's list of the modules it has loaded (undocumented but long-standing; empty if a Node lacks it). */
const loadedModules = (): readonly string[] =>
  (process as unknown as { moduleLoadList?: readonly string[] }).moduleLoadList ?? [];

async function main(): Promise<void> {
  const server = createServer(standIn);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'build',
    AWS_SECRET_ACCESS_KEY: 'build',
    AWS_SESSION_TOKEN: 'build',
    AWS_EC2_METADATA_DISABLED: 'true',
  });

  const before = new Set(loadedModules());
  const bundle = openBundle(BUNDLE, false);
  // As the extension runs it (sdk/load.ts): with this bundle's own require(), so the warm-up loads the
  // built-in modules the extension's first miss loads, no more.
  const loaded = runBundle(bundle, require);
  const { createAwsBackends: create } = loaded.exports as { createAwsBackends: typeof createAwsBackends };
  // Generous: the stand-in is local, but an arm64 image build runs this under QEMU, where the SDK's
  // first call (compiled from source there) took over 5 s on a loaded 2-core machine.
  const backends = create({ maxConnections: 1, timeoutMs: { ssm: 60_000, secretsManager: 60_000 } });
  for (let round = 0; round < 2; round++) {
    await backends.getParameter({ name: '/warm', withDecryption: true });
    await backends.getSecretValue({ secretId: 'warm', versionId: undefined, versionStage: undefined });
    await backends.getParameter({ name: '/missing', withDecryption: false }).then(
      () => Promise.reject(new Error('the stand-in error answer was not an error')),
      () => undefined,
    );
    await backends.getParameters(['/warm'], true);
  }
  server.close();

  // The public built-in modules that loading and using the SDK loaded (the stand-in's node:http too,
  // which the extension has loaded anyway): the extension loads them before the flag below.
  const builtins = loadedModules()
    .filter((entry) => !before.has(entry) && entry.startsWith('NativeModule '))
    .map((entry) => entry.slice('NativeModule '.length))
    // Internal and underscore modules (`_tls_wrap`…) are loaded by their public parents, and loading
    // one on its own can break a circular require between them.
    .filter((name) => !name.startsWith('internal/') && !name.startsWith('_') && isBuiltin(name))
    .map((name) => `node:${name}`);
  const loadedNow = new Set(loadedModules().filter((entry) => !before.has(entry)));
  const globals = Object.entries(LAZY_GLOBALS)
    .filter(([, internal]) => loadedNow.has(`NativeModule ${internal}`))
    .map(([name]) => name);
  // The extension sets this flag before the SDK runs from the cache; V8 accepts a cache only under the
  // flags it was made with.
  stopYoungGenerationGrowth();
  const data = loaded.script.createCachedData();

  for (const name of readdirSync(__dirname)) if (isCodeCacheFile(BUNDLE, name)) rmSync(join(__dirname, name));
  const file = codeCacheFile(BUNDLE, bundle.source);
  writeFileSync(file, encodeCodeCache({ builtins, globals }, data));
  process.stdout.write(
    `code cache for aws.cjs: ${file} (${Math.round(data.length / 1024)} KiB, ${builtins.length} built-in modules, globals: ${globals.join(' ') || 'none'})\n`,
  );
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`build-code-cache: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
