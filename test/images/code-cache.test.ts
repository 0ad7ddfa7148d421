import { describe, expect, it } from 'vitest';
import { runInImage } from './helpers/lambda-container.js';
import { baseImage, settings } from './helpers/settings.js';

// The base images carry a V8 code cache of the SDK bundle, made by their build for their own node
// (docs/extension.md, "Code cache"). V8 silently compiles from source when a cache does not match, so
// this checks, as Lambda runs the extension (arbitrary uid, read-only root, the launcher's flags),
// that the first miss really loads the SDK from it. The miss itself fails fast: nothing listens on
// the endpoint, and the container has no network.
const PORT = 2773;
const probe = [
  "const get = (path, headers = {}) => new Promise((resolve) => require('node:http')",
  `  .get({ host: '127.0.0.1', port: ${PORT}, path, headers }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); })`,
  "  .on('error', () => resolve(0)));",
  '(async () => {',
  "  for (let i = 0; i < 600 && (await get('/ping')) !== 200; i++) await new Promise((r) => setTimeout(r, 50));",
  "  console.log('miss answered', await get('/systemsmanager/parameters/get?name=p', { 'X-Aws-Parameters-Secrets-Token': 't' }));",
  '})();',
].join('\n');
const script = [
  'env PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL=DEBUG',
  `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT=${PORT}`,
  'AWS_SESSION_TOKEN=t AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=a AWS_SECRET_ACCESS_KEY=b',
  'AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_MAX_ATTEMPTS=1',
  '/opt/extensions/parameters-secrets-extension &',
  `node -e "${probe.replaceAll('"', '\\"')}"; kill $!; wait`,
].join(' ');

describe('the SDK code cache in the base images', () => {
  for (const major of settings.nodeMajors) {
    for (const arch of settings.architectures) {
      it(`lambda-nodejs:${major} on linux/${arch}: the first miss loads the SDK from it`, async () => {
        const output = (await runInImage(baseImage(major), `linux/${arch}`, ['sh', '-c', script])).toString();
        expect(output).toContain('miss answered 400');
        expect(output).toContain('AWS SDK clients loaded (code cache used).');
      }, 180_000);
    }
  }
});
