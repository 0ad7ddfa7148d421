import { runCommand } from '../../helpers/command.js';
import { settings } from './settings.js';

// cosign against the lab's plain-HTTP loopback registry, offline: key pairs only, no transparency
// log, no Fulcio (the flags docs/images.md gives users for the same registry setup).
const REGISTRY_FLAGS = ['--allow-http-registry'];

/** Runs cosign; the keys the tests use have no password (COSIGN_PASSWORD empty, not a prompt). */
async function cosign(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await runCommand('env', ['COSIGN_PASSWORD=', settings.cosign, ...args], {
    timeoutMs: 120_000,
    allowFailure: true,
  });
  return { code: result.code, stdout: result.stdout.toString(), stderr: result.stderr };
}

export interface Verification {
  readonly ok: boolean;
  /** The manifest digests the verified signatures cover. */
  readonly digests: string[];
  readonly stderr: string;
}

/** `cosign verify --key <public key>` of a tag or digest reference. */
export async function verify(reference: string, publicKey: string): Promise<Verification> {
  const { code, stdout, stderr } = await cosign([
    'verify',
    '--key',
    publicKey,
    '--insecure-ignore-tlog',
    '--offline',
    ...REGISTRY_FLAGS,
    reference,
  ]);
  if (code !== 0) return { ok: false, digests: [], stderr };
  const payloads = JSON.parse(stdout) as { critical: { image: { 'docker-manifest-digest': string } } }[];
  return {
    ok: true,
    digests: payloads.map((payload) => payload.critical.image['docker-manifest-digest']),
    stderr,
  };
}

/** `cosign sign` of `repository@digest` with a key file (no password), as scripts/sign-images.mjs does. */
export async function sign(reference: string, key: string): Promise<void> {
  const { code, stderr } = await cosign([
    'sign',
    '--yes',
    '--key',
    key,
    '--tlog-upload=false',
    ...REGISTRY_FLAGS,
    reference,
  ]);
  if (code !== 0) throw new Error(`cosign sign ${reference}: exit ${code}\n${stderr}`);
}

/** A fresh key pair `<dir>/<name>.key` + `.pub`, without a password. */
export async function generateKeyPair(
  dir: string,
  name: string,
): Promise<{ key: string; publicKey: string }> {
  const prefix = `${dir}/${name}`;
  const { code, stderr } = await cosign(['generate-key-pair', '--output-key-prefix', prefix]);
  if (code !== 0) throw new Error(`cosign generate-key-pair: exit ${code}\n${stderr}`);
  return { key: `${prefix}.key`, publicKey: `${prefix}.pub` };
}

/** The public key next to a key file made by `cosign generate-key-pair` (<name>.key -> <name>.pub). */
export const publicKeyOf = (key: string): string => key.replace(/\.key$/, '.pub');
