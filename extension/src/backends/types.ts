/** What a read needs from AWS. Implemented by aws-backends.ts (loaded lazily: the SDK is heavy). */
import type { Service } from '../service.js';

export interface ParameterRequest {
  /** `name` or `name:selector`, as SSM's GetParameter takes it. */
  readonly name: string;
  readonly withDecryption: boolean;
}

export interface SecretRequest {
  readonly secretId: string;
  readonly versionId: string | undefined;
  readonly versionStage: string | undefined;
}

export interface PrefetchedParameter {
  readonly name: string;
  /** SecureString values are decrypted, so they may be stored only under the withDecryption=true key. */
  readonly secure: boolean;
  readonly json: string;
}

export interface Backends {
  /** The response body AWS's extension would send for GetParameter. Throws BackendError. */
  getParameter(request: ParameterRequest): Promise<string>;
  /** GetParameters (≤ 10 names per call, with decryption) for prefetching; names not found are skipped. */
  getParameters(names: readonly string[]): Promise<PrefetchedParameter[]>;
  /** The response body AWS's extension would send for GetSecretValue. Throws BackendError. */
  getSecretValue(request: SecretRequest): Promise<string>;
}

export interface BackendSettings {
  readonly maxConnections: number;
  /** Per-call budget (*_TIMEOUT_MILLIS), retries included; 0: none. */
  readonly timeoutMs: Readonly<Record<Service, number>>;
}
