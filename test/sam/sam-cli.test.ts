import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { type PrivateMoto, startPrivateMoto } from '../helpers/moto.js';
import { waitFor } from '../helpers/wait.js';
import { type SeededData, seedAwsData } from '../images/helpers/aws-data.js';
import { baseImage, runId, settings } from '../images/helpers/settings.js';
import {
  pullImage,
  removeImages,
  type SamLab,
  sam,
  samEnvironment,
  samLab,
  startSam,
} from './helpers/sam.js';

// AWS SAM CLI with our base image: a function image built FROM it (PackageType: Image), `sam build`,
// `sam local invoke` and `sam local start-api`, reading a parameter and a secret through the
// extension with the client module, against a private moto. SAM runs its containers on the lab's
// SAM engine (lab/sam.sh); moto listens on that engine's bridge gateway address, which the function
// reaches as host.docker.internal (`--add-host host.docker.internal:host-gateway`), as docs/guide.md
// tells users on a Linux Docker host.
const fixture = fileURLToPath(new URL('./fixtures/function', import.meta.url));
const major = settings.nodeMajors[0] ?? '22';
const FUNCTION = 'ReadFunction';
const REPOSITORY = FUNCTION.toLowerCase();
const TAG = `sam-test-${runId}`;
const TOKEN = `local-${runId}`;
const HOST_GATEWAY = ['--add-host', 'host.docker.internal:host-gateway'];

/** The JSON object the function returns (API Gateway's shape). */
interface Answer {
  readonly statusCode: number;
  readonly body: string;
}

describe(`SAM CLI with lambda-nodejs:${major} (linux/amd64)`, () => {
  let lab: SamLab;
  let moto: PrivateMoto;
  let data: SeededData;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    lab = await samLab();
    await pullImage(lab, baseImage(major));
    moto = await startPrivateMoto(lab.bridgeAddress);
    data = await seedAwsData(moto.endpoint, `${runId}-sam`);
    dir = mkdtempSync(join(tmpdir(), 'sam-test-'));
    cpSync(fixture, dir, { recursive: true });
    const template = readFileSync(join(dir, 'template.yaml'), 'utf8')
      .replace('BASE_IMAGE: lambda-nodejs:22', `BASE_IMAGE: ${baseImage(major)}`)
      .replace('DockerTag: latest', `DockerTag: ${TAG}`);
    writeFileSync(join(dir, 'template.yaml'), template);
    // Long-lived keys (no AWS_SESSION_TOKEN, as on a developer's machine): the extension accepts
    // PARAMETERS_SECRETS_EXTENSION_TOKEN and the client sends it.
    writeFileSync(
      join(dir, 'env.json'),
      JSON.stringify({
        [FUNCTION]: {
          PARAMETER_NAME: data.stringParameter.name,
          SECRET_ID: data.secretString.id,
          AWS_ENDPOINT_URL: moto.endpoint.replace(lab.bridgeAddress, 'host.docker.internal'),
          PARAMETERS_SECRETS_EXTENSION_TOKEN: TOKEN,
        },
      }),
    );
    env = samEnvironment(lab, join(dir, '.sam-config'));
  });

  afterAll(async () => {
    if (lab !== undefined) await removeImages(lab, REPOSITORY, [TAG, 'rapid-x86_64']);
    await moto?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const expectRead = (answer: Answer) => {
    expect(answer.statusCode).toBe(200);
    const body = JSON.parse(answer.body);
    expect(body.node).toMatch(new RegExp(`^v${major}\\.`));
    expect(body.parameter).toBe(data.stringParameter.value);
    expect(body.secret).toBe(data.secretString.value);
  };

  it('sam build builds the function image FROM ours', async () => {
    const result = await sam(lab, env, dir, ['build'], 600_000);
    expect(result.code, result.stderr).toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('Build Succeeded');
  });

  it('sam local invoke reads a parameter and a secret through the extension', async () => {
    const result = await sam(
      lab,
      env,
      dir,
      ['local', 'invoke', FUNCTION, '--env-vars', 'env.json', '--no-event', ...HOST_GATEWAY],
      300_000,
    );
    const output = `${result.stdout}\n${result.stderr}`;
    // SAM exits 0 even when the invoke timed out or the container was unreachable: read the output.
    expect(result.code, output).toBe(0);
    expect(output).not.toMatch(/Timed out|timed out|errorType/);
    const last = result.stdout.toString().trim().split('\n').at(-1) ?? '';
    expectRead(JSON.parse(last) as Answer);
    // The extension ran inside SAM's container (its log lines are in SAM's output).
    expect(output).toContain('[Parameters and Secrets Lambda Extension]');
  });

  it('sam local start-api serves an HTTP event that reads them', async () => {
    const port = await freePort();
    const api = startSam(lab, env, dir, [
      'local',
      'start-api',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--env-vars',
      'env.json',
      ...HOST_GATEWAY,
    ]);
    try {
      const response = await waitFor(
        `sam local start-api on 127.0.0.1:${port}`,
        async () => {
          try {
            return await fetch(`http://127.0.0.1:${port}/read`, { signal: AbortSignal.timeout(120_000) });
          } catch {
            return undefined;
          }
        },
        180_000,
        500,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${api.output()}`);
      });
      const body = await response.text();
      expect(response.status, `${body}\n${api.output()}`).toBe(200);
      expectRead({ statusCode: response.status, body });
    } finally {
      await api.stop();
    }
  });
});
