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

/** One parameter read in a batch: the body a single read of it gets, and whether it is a SecureString. */
export interface FetchedParameter {
  /** GetParameter's body, exactly as a single read of this name answers. */
  readonly json: string;
  /** A decrypted SecureString may be stored only under the withDecryption=true key. */
  readonly secure: boolean;
}

/** Per name (or secret id) asked: what was read, or the BackendError that name failed with. */
export type BatchResult<T> = ReadonlyMap<string, T | Error>;

/** Parameters one by-path read returns at most (50 pages of 10); more is a 400, never a cut list. */
export const MAX_BY_PATH_PARAMETERS = 500;

export interface PathRequest {
  readonly path: string;
  readonly recursive: boolean;
  readonly withDecryption: boolean;
}

export interface PathResult {
  /** Each parameter under the path, by its name, as a single read of it answers. */
  readonly parameters: ReadonlyArray<FetchedParameter & { readonly name: string }>;
}

export interface Backends {
  /** The response body AWS's extension would send for GetParameter. Throws BackendError. */
  getParameter(request: ParameterRequest): Promise<string>;
  /**
   * GetParameters, 10 names per call (calls in parallel). A name SSM lists as invalid fails with
   * ParameterNotFound; a failed call fails each of its names with its error.
   */
  getParameters(names: readonly string[], withDecryption: boolean): Promise<BatchResult<FetchedParameter>>;
  /**
   * GetParametersByPath, every page, up to `maxParameters` (more: BackendError TooManyParameters, no
   * partial list). Throws BackendError.
   */
  getParametersByPath(request: PathRequest, maxParameters: number): Promise<PathResult>;
  /** The response body AWS's extension would send for GetSecretValue. Throws BackendError. */
  getSecretValue(request: SecretRequest): Promise<string>;
  /** BatchGetSecretValue, 20 ids per call (calls in parallel), each id's current version. */
  getSecretValues(secretIds: readonly string[]): Promise<BatchResult<string>>;
}

export interface BackendSettings {
  readonly maxConnections: number;
  /** Told of every SDK call (retries included) when it ends: its duration and, if it failed, how. */
  readonly observe?: (
    service: Service,
    ms: number,
    failure: { readonly code: string; readonly throttled: boolean } | undefined,
  ) => void;
  /** Per-call budget (*_TIMEOUT_MILLIS), retries included; 0: none. */
  readonly timeoutMs: Readonly<Record<Service, number>>;
}
