/**
 * What the kernel says about a process and its sockets (Linux /proc): resident memory, and which
 * local addresses listen on a TCP port. Facts from the kernel, not from the extension's own word.
 */
import { readFileSync } from 'node:fs';

/** VmRSS of a process in KiB. */
export function residentKib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match?.[1] === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

/** The command line of a process, arguments joined with spaces. */
export function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\u0000').join(' ').trim();
}

function ipv4FromProc(hex: string): string {
  // One 32-bit word in host (little-endian) order.
  const bytes = Buffer.from(hex, 'hex').reverse();
  return [...bytes].join('.');
}

function ipv6FromProc(hex: string): string {
  // Four 32-bit words, each in host (little-endian) order.
  const words: string[] = [];
  for (let i = 0; i < 32; i += 8)
    words.push(
      Buffer.from(hex.slice(i, i + 8), 'hex')
        .reverse()
        .toString('hex'),
    );
  const groups = words.join('').match(/.{4}/g) ?? [];
  return groups.map((group) => group.replace(/^0+(?=.)/, '')).join(':');
}

const TCP_LISTEN = '0A';

/** Every local address with a TCP socket in LISTEN state on `port` (IPv4 dotted, IPv6 uncompressed groups). */
export function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const [file, decode] of [
    ['/proc/net/tcp', ipv4FromProc],
    ['/proc/net/tcp6', ipv6FromProc],
  ] as const) {
    let table: string;
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      continue; // no IPv6 in this kernel
    }
    for (const line of table.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (local === undefined || fields[3] !== TCP_LISTEN) continue;
      const [addressHex, portHex] = local.split(':');
      if (addressHex === undefined || Number.parseInt(portHex ?? '', 16) !== port) continue;
      found.push(decode(addressHex));
    }
  }
  return found;
}

/** 127.0.0.0/8 or ::1 (as /proc prints it: 0:0:0:0:0:0:0:1). */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '0:0:0:0:0:0:0:1';
}
