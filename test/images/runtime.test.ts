import { fileURLToPath } from 'node:url';
import { describeLambdaScenario } from './helpers/scenario.js';
import { baseImage, settings } from './helpers/settings.js';

// Our base images as pushed by `make images`, each on both architectures (arm64 under QEMU),
// with the test function mounted read-only on /var/task like a function's code.
const functionDir = fileURLToPath(new URL('./fixtures/function', import.meta.url));

for (const major of settings.nodeMajors) {
  for (const arch of settings.architectures) {
    describeLambdaScenario(`lambda-nodejs:${major} on linux/${arch}`, {
      image: () => baseImage(major),
      arch,
      nodeMajor: major,
      handler: 'index.handler',
      addonPath: '/var/runtime/node_modules/aws-lambda-ric/rapid-client.node',
      mounts: { [functionDir]: '/var/task' },
    });
  }
}
