/** The two AWS services the extension reads from: one type, one spelling, everywhere. */
export type Service = 'ssm' | 'secretsManager';

export const SERVICES: readonly Service[] = ['ssm', 'secretsManager'];

/** How messages and log lines name each service. */
export const SERVICE_LABEL: Readonly<Record<Service, string>> = {
  ssm: 'SSM',
  secretsManager: 'Secrets Manager',
};
