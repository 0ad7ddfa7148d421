// Seeds the AWS stand-in (moto) with the demo's data through the AWS SDK, the way an operator
// would create them in a real account. Prints the names as JSON for demo/run.sh.
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

const endpoint = process.env.AWS_ENDPOINT_URL;
if (!endpoint) throw new Error('AWS_ENDPOINT_URL must point at the AWS stand-in');
const client = {
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
};
const ssm = new SSMClient(client);
const secrets = new SecretsManagerClient(client);

const data = {
  parameterName: '/demo/greeting',
  secureParameterName: '/demo/database/password',
  secretId: 'demo/api-key',
};
await ssm.send(
  new PutParameterCommand({
    Name: data.parameterName,
    Type: 'String',
    Value: 'Hello from Parameter Store',
    Overwrite: true,
  }),
);
await ssm.send(
  new PutParameterCommand({
    Name: data.secureParameterName,
    Type: 'SecureString',
    Value: 'correct-horse-battery-staple',
    Overwrite: true,
  }),
);
await secrets.send(
  new CreateSecretCommand({
    Name: data.secretId,
    SecretString: JSON.stringify({ apiKey: 'demo-0123456789abcdef' }),
  }),
);
console.log(JSON.stringify(data));
