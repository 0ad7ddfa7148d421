// Signs every image a `docker buildx bake --push --metadata-file <file>` run pushed, with cosign and
// a key pair, by digest (never by tag: a tag can move between the push and the signature):
//   SIGNING_KEY=<cosign key: file, awskms://..., ...> [COSIGN=cosign] node scripts/sign-images.mjs <file>
// Each index is signed with --recursive, so its platform manifests (what a function's FROM resolves
// and what Lambda pulls) carry signatures too. No transparency log: the signature is checked with the
// public key alone (docs/images.md). A loopback registry speaks plain HTTP, which cosign must be told.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const [metadataFile] = process.argv.slice(2);
const key = process.env.SIGNING_KEY ?? '';
const cosign = process.env.COSIGN || 'cosign';
if (metadataFile === undefined || key === '') {
  console.error('usage: SIGNING_KEY=<cosign key> node scripts/sign-images.mjs <bake metadata file>');
  process.exit(2);
}

/** `repository@digest` for each repository a target pushed to (tags of one repository sign once). */
function signTargets(metadata) {
  const refs = new Set();
  for (const [target, result] of Object.entries(metadata)) {
    const digest = result['containerimage.digest'];
    const names = String(result['image.name'] ?? '')
      .split(',')
      .filter(Boolean);
    if (!digest || names.length === 0) throw new Error(`bake metadata has no pushed image for ${target}`);
    for (const name of names) refs.add(`${name.replace(/:[^:/]+$/, '')}@${digest}`);
  }
  return [...refs].sort();
}

const isLoopback = (ref) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//.test(ref);

for (const ref of signTargets(JSON.parse(readFileSync(metadataFile, 'utf8')))) {
  const args = ['sign', '--yes', '--key', key, '--tlog-upload=false', '--recursive'];
  if (isLoopback(ref)) args.push('--allow-http-registry');
  const result = spawnSync(cosign, [...args, ref], { stdio: 'inherit', timeout: 300_000 });
  if (result.status !== 0) {
    console.error(`signing ${ref} failed (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(1);
  }
  console.log(`signed ${ref}`);
}
