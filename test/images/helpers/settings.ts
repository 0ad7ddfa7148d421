/** Where the image tests find the lab and the images under test (mk/images.mk sets these). */
export const settings = {
  /** Registry holding the images built by `make images`. */
  imagesRegistry: process.env.IMAGES_REGISTRY ?? '127.0.0.1:5000',
  /** The lab's registry: images the tests build themselves go here, never to a user's registry. */
  labRegistry: process.env.LAB_REGISTRY ?? '127.0.0.1:5000',
  repository: process.env.IMAGES_REPOSITORY ?? 'lambda-nodejs',
  builder: process.env.IMAGES_BUILDER ?? 'lab',
  nodeMajors: (process.env.IMAGES_NODE_MAJORS ?? '22,24').split(','),
  architectures: (process.env.IMAGES_ARCHITECTURES ?? 'amd64,arm64').split(','),
} as const;

export const baseImage = (major: string): string =>
  `${settings.imagesRegistry}/${settings.repository}:${major}`;
export const extensionImage = (): string =>
  `${settings.imagesRegistry}/${settings.repository}-extension:latest`;
/** A unique suffix per test run, so parallel runs and leftovers never share names. */
export const runId = `${Date.now().toString(36)}-${process.pid}`;
