import { open } from 'node:fs/promises';

// e_machine values from the ELF specification: what a binary was compiled for.
export const ELF_MACHINE = { amd64: 0x3e, arm64: 0xb7 } as const;

// Reads the ELF header's magic, class and e_machine (offset 18, little-endian for both our arches).
export async function elfMachine(path: string): Promise<number> {
  const file = await open(path, 'r');
  try {
    const header = Buffer.alloc(20);
    await file.read(header, 0, header.length, 0);
    if (header.subarray(0, 4).toString('latin1') !== '\x7fELF') throw new Error(`${path} is not an ELF file`);
    if (header[4] !== 2) throw new Error(`${path} is not a 64-bit ELF file`);
    return header.readUInt16LE(18);
  } finally {
    await file.close();
  }
}
