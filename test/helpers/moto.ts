/** The lab's moto server (lab/moto.sh): endpoint, reset, and SDK clients to seed it. */
import { request } from 'node:http';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';

export const MOTO_ENDPOINT = process.env.MOTO_ENDPOINT ?? 'http://127.0.0.1:5055';

/** Fake credentials and region every process talking to moto gets. */
export const AWS_TEST_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'moto-test-secret-access-key',
  AWS_REGION: 'us-east-1',
} as const;

/**
 * Empties moto. node:http rather than fetch: fetch refuses ports on its "bad ports" list (5061 is one),
 * and a private moto may be on any port.
 */
export function resetMoto(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${MOTO_ENDPOINT}/moto-api/reset`, { method: 'POST', timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`moto reset failed: HTTP ${res.statusCode}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', (error) =>
      reject(new Error(`moto is not answering at ${MOTO_ENDPOINT} (run lab/moto.sh up): ${String(error)}`)),
    );
    req.end();
  });
}

const clientConfig = {
  endpoint: MOTO_ENDPOINT,
  region: AWS_TEST_ENV.AWS_REGION,
  credentials: {
    accessKeyId: AWS_TEST_ENV.AWS_ACCESS_KEY_ID,
    secretAccessKey: AWS_TEST_ENV.AWS_SECRET_ACCESS_KEY,
  },
};

export function motoSsm(): SSMClient {
  return new SSMClient(clientConfig);
}

export function motoSecretsManager(): SecretsManagerClient {
  return new SecretsManagerClient(clientConfig);
}
