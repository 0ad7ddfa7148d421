import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { buildAndPush } from './helpers/build.js';
import { deleteImage } from './helpers/registry.js';
import { describeLambdaScenario } from './helpers/scenario.js';
import { baseImage, extensionImage, pinned, runId, settings } from './helpers/settings.js';

// The `extension` image copied into AWS's own base image, as examples/aws-base.Dockerfile does.
// AWS's image cannot be pulled here, so a stand-in of its layout (fixtures/aws-base) takes its
// name through a named build context; the function is the test function.
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
// examples/aws-base.Dockerfile starts FROM public.ecr.aws/lambda/nodejs:22.
const major = '22';
const standIn = `${settings.labRegistry}/images-test/aws-base-standin:${major}-${runId}`;
const functionImage = `${settings.labRegistry}/images-test/aws-base-function:${major}-${runId}`;
const platforms = settings.architectures.map((arch) => `linux/${arch}`);

beforeAll(async () => {
  await buildAndPush({
    context: here('./fixtures/aws-base'),
    dockerfile: here('./fixtures/aws-base/Dockerfile'),
    platforms,
    tag: standIn,
    buildArgs: { NODE_MAJOR: major, DEBIAN_SUITE: pinned('DEBIAN_SUITE'), LAMBDA_IMAGE: baseImage(major) },
  });
  await buildAndPush({
    context: here('./fixtures/function'),
    dockerfile: here('../../examples/aws-base.Dockerfile'),
    platforms,
    tag: functionImage,
    buildContexts: {
      'public.ecr.aws/lambda/nodejs:22': `docker-image://${standIn}`,
      'lambda-nodejs-extension:latest': `docker-image://${extensionImage()}`,
    },
  });
});

afterAll(async () => {
  await deleteImage(functionImage);
  await deleteImage(standIn);
});

for (const arch of settings.architectures) {
  describeLambdaScenario(`extension image on an AWS-style base, linux/${arch}`, {
    image: () => functionImage,
    arch,
    nodeMajor: major,
    handler: 'index.handler',
    addonPath: '/var/runtime/rapid-client.node',
  });
}
