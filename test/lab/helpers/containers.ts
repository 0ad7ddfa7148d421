import { randomUUID } from 'node:crypto';
import { run } from './run.js';

// Every container a lab test starts gets a name no other test (or helper) uses, so tests can run
// beside other work on the same engine and clean up exactly what they started.
export function uniqueContainerName(purpose: string): string {
  return `lab-test-${purpose}-${randomUUID().slice(0, 8)}`;
}

export async function removeContainer(name: string): Promise<void> {
  await run('docker', ['rm', '--force', name]).catch(() => undefined);
}
