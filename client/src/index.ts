/**
 * Reads parameters and secrets through the Parameters and Secrets extension in the same sandbox:
 * directly when it runs in this thread (PARAMETERS_SECRETS_EXTENSION_IN_PROCESS), else over HTTP on
 * 127.0.0.1 (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT or 2773), with the sandbox's token. The extension
 * caches; this module holds no values.
 */
export type { BatchItemError } from './batch.js';
export { MAX_BATCH_ITEMS } from './batch.js';
export { ParametersSecretsError } from './errors.js';
export {
  getParameter,
  getParameters,
  getParametersByPath,
  type Parameter,
  type ParameterOptions,
  type ParametersByPathOptions,
  type ParametersByPathResult,
  type ParametersOptions,
  type ParametersResult,
} from './parameters.js';
export {
  getSecret,
  getSecretBinary,
  getSecretJson,
  getSecrets,
  type SecretOptions,
  type SecretsOptions,
  type SecretsResult,
  type SecretValue,
} from './secrets.js';
export { CONNECT_RETRY_BUDGET_MS } from './transport.js';
