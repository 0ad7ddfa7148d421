/** The one ELF reader of the tests: which machine a binary was compiled for. */
import { open } from 'node:fs/promises';

/** e_machine values from the ELF specification, for the architectures we build. */
export const ELF_MACHINE = { amd64: 0x3e, arm64: 0xb7 } as const;

/** e_machine of a 64-bit ELF file's header (offset 18, little-endian for both our architectures). */
export function elfMachineOf(header: Buffer, what = 'the file'): number {
  if (header.length < 20 || header.readUInt32BE(0) !== 0x7f454c46)
    throw new Error(`${what} is not an ELF file`);
  if (header[4] !== 2) throw new Error(`${what} is not a 64-bit ELF file`);
  return header.readUInt16LE(18);
}

/** e_machine of the ELF file at `path`, reading its header only. */
export async function elfMachine(path: string): Promise<number> {
  const file = await open(path, 'r');
  try {
    const header = Buffer.alloc(20);
    await file.read(header, 0, header.length, 0);
    return elfMachineOf(header, path);
  } finally {
    await file.close();
  }
}

export function expectedElfMachine(arch: string): number {
  const machine = (ELF_MACHINE as Record<string, number>)[arch];
  if (machine === undefined) throw new Error(`no ELF machine known for ${arch}`);
  return machine;
}
