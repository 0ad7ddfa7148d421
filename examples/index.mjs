// An example function: reads a parameter and a secret through the extension on localhost:2773.
// The names come from the function's environment (PARAMETER_NAME, SECRET_ID).
const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
const base = `http://localhost:${port}`;

async function readThroughExtension(path) {
  // The extension answers only callers that present the function's session token.
  const response = await fetch(`${base}${path}`, {
    headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN ?? '' },
  });
  if (!response.ok) {
    throw new Error(`${path.split('?')[0]}: ${response.status} ${await response.text()}`);
  }
  return response.json();
}

const getParameter = async (name) =>
  (await readThroughExtension(`/systemsmanager/parameters/get?name=${encodeURIComponent(name)}`)).Parameter
    .Value;

const getSecret = async (secretId) =>
  (await readThroughExtension(`/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`)).SecretString;

// Read once during INIT: later invokes of this execution environment reuse the value.
const parameter = await getParameter(process.env.PARAMETER_NAME ?? '/example/greeting');

export const handler = async () => {
  // Read per invoke: the extension answers from its cache until SECRETS_MANAGER_TTL expires.
  const secret = await getSecret(process.env.SECRET_ID ?? 'example/api-key');
  return { parameter, secretLength: secret.length };
};
