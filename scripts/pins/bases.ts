// The base images images/Dockerfile builds FROM, as docker.io references derived from the pins.
import { nodeMajors, requirePin } from './env-file.js';

export interface BaseImage {
  /** docker.io/<repository>:<tag> */
  readonly reference: string;
  readonly repository: string;
  readonly tag: string;
}

function base(repository: string, tag: string): BaseImage {
  return { reference: `docker.io/${repository}:${tag}`, repository, tag };
}

export function nodeBase(version: string, suite: string): BaseImage {
  return base('library/node', `${version}-${suite}-slim`);
}

export function golangBase(goVersion: string, suite: string): BaseImage {
  return base('library/golang', `${goVersion}-${suite}`);
}

/** Every base of the pinned configuration: node per major (the build major is one of them), golang. */
export function baseImages(pins: ReadonlyMap<string, string>): BaseImage[] {
  const suite = requirePin(pins, 'DEBIAN_SUITE');
  return [
    ...nodeMajors(pins).map((major) => nodeBase(requirePin(pins, `NODE${major}_VERSION`), suite)),
    golangBase(requirePin(pins, 'GO_VERSION'), suite),
  ];
}
