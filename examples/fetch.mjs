// The example function without the client module: the extension's plain HTTP API with the global
// fetch, as code written for AWS's extension does it (it works unchanged on our images). Same
// behaviour and answer as index.mjs; reads a parameter, a SecureString and a secret on
// localhost:2773. The names come from the function's environment (PARAMETER_NAME,
// SECURE_PARAMETER_NAME, SECRET_ID). It returns what it read (lengths only for secret values) and
// how long each read through the extension took.
const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
const base = `http://localhost:${port}`;

async function readThroughExtension(path) {
  const started = performance.now();
  // The extension answers only callers that present the function's session token.
  const response = await fetch(`${base}${path}`, {
    headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN ?? '' },
  });
  if (!response.ok) {
    throw new Error(`${path.split('?')[0]}: ${response.status} ${await response.text()}`);
  }
  const body = await response.json();
  return { body, ms: Math.round((performance.now() - started) * 100) / 100 };
}

const getParameter = async (name, withDecryption = false) => {
  const query = `name=${encodeURIComponent(name)}&withDecryption=${withDecryption}`;
  const { body, ms } = await readThroughExtension(`/systemsmanager/parameters/get?${query}`);
  return { value: body.Parameter.Value, ms };
};

const getSecret = async (secretId) => {
  const { body, ms } = await readThroughExtension(
    `/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`,
  );
  return { value: body.SecretString, ms };
};

// Read once during INIT (module level): later invokes of this execution environment reuse it.
const parameter = await getParameter(process.env.PARAMETER_NAME ?? '/example/greeting');

export const handler = async () => {
  // Read per invoke: the extension answers from its cache until the TTL expires.
  const secret = await getSecret(process.env.SECRET_ID ?? 'example/api-key');
  const result = {
    parameter: parameter.value,
    secretLength: secret.value.length,
    timingsMs: { parameterDuringInit: parameter.ms, secret: secret.ms },
  };
  if (process.env.SECURE_PARAMETER_NAME) {
    const secure = await getParameter(process.env.SECURE_PARAMETER_NAME, true);
    result.secureParameterLength = secure.value.length;
    result.timingsMs.secureParameter = secure.ms;
  }
  return result;
};
