/**
 * Addresses of this machine that are not loopback, to prove the extension cannot be reached on them.
 * Connecting to them stays on this machine. If the machine has none (a bare CI sandbox), a dummy
 * interface with a documentation address (TEST-NET-2) is created for the test and removed after.
 */
import { execFileSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';

export interface LocalAddresses {
  readonly addresses: readonly string[];
  /** Removes what was created (nothing when the machine had addresses of its own). */
  cleanup(): void;
}

const DUMMY_INTERFACE = 'relia-dummy0';
const DUMMY_ADDRESS = '198.51.100.77';

function nonLoopback(): string[] {
  const found: string[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      // Link-local IPv6 needs a scope id and says nothing more than a global address does.
      if (entry.internal || (entry.family === 'IPv6' && entry.address.startsWith('fe80:'))) continue;
      found.push(entry.address);
    }
  }
  return found;
}

export function nonLoopbackAddresses(): LocalAddresses {
  const existing = nonLoopback();
  if (existing.length > 0) return { addresses: existing, cleanup: () => undefined };
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  try {
    ip('link', 'add', DUMMY_INTERFACE, 'type', 'dummy');
    ip('addr', 'add', `${DUMMY_ADDRESS}/32`, 'dev', DUMMY_INTERFACE);
    ip('link', 'set', DUMMY_INTERFACE, 'up');
  } catch (error) {
    throw new Error(`no non-loopback address and cannot create a dummy interface: ${String(error)}`);
  }
  return {
    addresses: [DUMMY_ADDRESS],
    cleanup: () => {
      ip('link', 'del', DUMMY_INTERFACE);
    },
  };
}
