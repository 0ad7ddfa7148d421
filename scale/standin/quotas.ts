/**
 * AWS's request-rate quotas for the calls the extension makes, per account and Region, as token-bucket
 * families. Sources are in docs/scale.md ("Quotas"); figures marked `checked: false` could not be read on
 * AWS's live pages from here and come from the second-hand sources named there.
 */

export type Api =
  | 'GetParameter'
  | 'GetParameters'
  | 'GetParametersByPath'
  | 'GetSecretValue'
  | 'BatchGetSecretValue';

export const APIS: readonly Api[] = [
  'GetParameter',
  'GetParameters',
  'GetParametersByPath',
  'GetSecretValue',
  'BatchGetSecretValue',
];

export interface Family {
  readonly name: string;
  /** Transactions per second. */
  readonly rate: number;
  readonly apis: readonly Api[];
  /** Whether the figure was read on AWS's own current page (false: second-hand, see docs/scale.md). */
  readonly checked: boolean;
}

export interface QuotaProfile {
  readonly name: string;
  readonly families: readonly Family[];
  /** KMS Decrypt per second, spent by every SecureString read with decryption (shared with all KMS use). */
  readonly kmsDecryptRate: number;
}

/** AWS does not publish its buckets' burst capacity; we assume one second of rate (stated in the doc). */
export const DEFAULT_BURST_SECONDS = 1;

const SECRETS_MANAGER: readonly Family[] = [
  { name: 'secretsmanager:GetSecretValue', rate: 10_000, apis: ['GetSecretValue'], checked: false },
  { name: 'secretsmanager:BatchGetSecretValue', rate: 100, apis: ['BatchGetSecretValue'], checked: false },
];

const KMS_DECRYPT = 5_500;

export const DEFAULT_QUOTAS: QuotaProfile = {
  name: 'default',
  families: [
    {
      name: 'ssm:reads',
      rate: 40,
      apis: ['GetParameter', 'GetParameters', 'GetParametersByPath'],
      checked: false,
    },
    ...SECRETS_MANAGER,
  ],
  kmsDecryptRate: KMS_DECRYPT,
};

export const HIGHER_THROUGHPUT_QUOTAS: QuotaProfile = {
  name: 'higher-throughput',
  families: [
    {
      name: 'ssm:GetParameter+GetParameters',
      rate: 3_000,
      apis: ['GetParameter', 'GetParameters'],
      checked: false,
    },
    { name: 'ssm:GetParametersByPath', rate: 100, apis: ['GetParametersByPath'], checked: false },
    ...SECRETS_MANAGER,
  ],
  kmsDecryptRate: KMS_DECRYPT,
};

/** Every rate divided by `factor`: the short test runs a small burst against proportionally small quotas. */
export function scaled(profile: QuotaProfile, factor: number): QuotaProfile {
  return {
    name: profile.name,
    families: profile.families.map((family) => ({ ...family, rate: family.rate / factor })),
    kmsDecryptRate: profile.kmsDecryptRate / factor,
  };
}

export function familyOf(profile: QuotaProfile, api: Api): Family {
  const family = profile.families.find((candidate) => candidate.apis.includes(api));
  if (family === undefined) throw new Error(`quota profile ${profile.name} has no family for ${api}`);
  return family;
}
