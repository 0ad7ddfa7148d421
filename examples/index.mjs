// An example function: reads a parameter, a SecureString and a secret through the extension with the
// client module every image ships (/opt/nodejs/node_modules/parameters-secrets; docs/guide.md). The
// names come from the function's environment (PARAMETER_NAME, SECURE_PARAMETER_NAME, SECRET_ID). It
// returns what it read (lengths only for secret values) and how long each read took.
// fetch.mjs does the same with the plain HTTP API.
import { getParameter, getSecret } from '/opt/nodejs/node_modules/parameters-secrets/index.mjs';

async function timed(read) {
  const started = performance.now();
  const value = await read();
  return { value, ms: Math.round((performance.now() - started) * 100) / 100 };
}

// Read once during INIT (module level): later invokes of this execution environment reuse it.
const parameter = await timed(() => getParameter(process.env.PARAMETER_NAME ?? '/example/greeting'));

export const handler = async () => {
  // Read per invoke: the extension answers from its cache until the TTL expires.
  const secret = await timed(() => getSecret(process.env.SECRET_ID ?? 'example/api-key'));
  const result = {
    parameter: parameter.value,
    secretLength: secret.value.length,
    timingsMs: { parameterDuringInit: parameter.ms, secret: secret.ms },
  };
  if (process.env.SECURE_PARAMETER_NAME) {
    const secure = await timed(() => getParameter(process.env.SECURE_PARAMETER_NAME, { decrypt: true }));
    result.secureParameterLength = secure.value.length;
    result.timingsMs.secureParameter = secure.ms;
  }
  return result;
};
