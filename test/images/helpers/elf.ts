/** e_machine values of the ELF header (offset 18, little-endian) for the platforms we build. */
const ELF_MACHINE_BY_ARCH: Record<string, number> = { amd64: 0x3e, arm64: 0xb7 };

export function elfMachineOf(file: Buffer): number {
  if (file.length < 20 || file.readUInt32BE(0) !== 0x7f454c46) {
    throw new Error('not an ELF file');
  }
  return file.readUInt16LE(18);
}

export function expectedElfMachine(arch: string): number {
  const machine = ELF_MACHINE_BY_ARCH[arch];
  if (machine === undefined) throw new Error(`no ELF machine known for ${arch}`);
  return machine;
}
