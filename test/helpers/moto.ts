/** The lab's moto server (lab/moto.sh): endpoint, reset, and SDK clients to seed it. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';

export const MOTO_ENDPOINT = process.env.MOTO_ENDPOINT ?? 'http://127.0.0.1:5055';

/** Fake credentials and region every process talking to moto gets. */
export const AWS_TEST_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'moto-test-secret-access-key',
  AWS_REGION: 'us-east-1',
} as const;

export async function resetMoto(): Promise<void> {
  const response = await fetch(`${MOTO_ENDPOINT}/moto-api/reset`, { method: 'POST' }).catch(
    (error: unknown) => {
      throw new Error(`moto is not answering at ${MOTO_ENDPOINT} (run lab/moto.sh up): ${String(error)}`);
    },
  );
  if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
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
