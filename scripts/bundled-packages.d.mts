// Types of scripts/bundled-packages.mjs (plain JavaScript, run by the build before any TypeScript).
export declare function packageDirsOf(inputs: Iterable<string>): string[];
export declare function writeBundledPackages(options: {
  root: string;
  out: string;
  metafiles: { inputs: Record<string, unknown> }[];
}): Promise<string[]>;
