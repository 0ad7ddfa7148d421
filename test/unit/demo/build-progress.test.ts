import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../../demo/build-progress.mjs', import.meta.url));

interface Filter {
  write(lines: string): void;
  output(): string;
  end(): Promise<{ code: number | null; stdout: string }>;
}

// The filter make demo pipes `docker buildx bake --progress plain` through, fed by hand; a 1 s
// heartbeat instead of 20 s.
function startFilter(): Filter {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, BUILD_PROGRESS_SECONDS: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    write: (lines) => child.stdin.write(lines),
    output: () => stdout,
    end: async () => {
      child.stdin.end();
      return { code: await exited, stdout };
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('demo/build-progress.mjs', () => {
  it('names the step that runs while the build is quiet, then each step that ran with its time', async () => {
    const filter = startFilter();
    filter.write('#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n');
    filter.write('#2 [npm-deps 1/1] RUN npm ci\n#2 0.512 added 10 packages\n');
    filter.write('#3 [rie 1/1] RUN go install\n#3 CACHED\n');
    await sleep(2_500);
    expect(filter.output()).toMatch(/… still running \(\d+ s so far\): \[npm-deps 1\/1\] RUN npm ci\n/);
    filter.write('#2 DONE 3.2s\n');
    const { code, stdout } = await filter.end();
    expect(code).toBe(0);
    expect(stdout).toContain('  [npm-deps 1/1] RUN npm ci  (3.2 s)\n');
    expect(stdout).not.toContain('rie');
    expect(stdout).not.toContain('load build definition');
  });

  it('prints nothing for a warm build where every step is cached', async () => {
    const filter = startFilter();
    filter.write('#1 [npm-deps 1/1] RUN npm ci\n#1 CACHED\n#2 [rie 1/1] RUN go install\n#2 CACHED\n');
    const { code, stdout } = await filter.end();
    expect(code).toBe(0);
    expect(stdout).toBe('');
  });

  it('exits non-zero and shows the error when a step fails', async () => {
    const filter = startFilter();
    filter.write(
      '#4 [ric-addon 1/1] RUN build-ric-addon\n#4 1.0 make: *** [all] Error 2\n#4 ERROR: process did not complete successfully\n',
    );
    filter.write(
      'ERROR: failed to build: process "/bin/sh -c build-ric-addon" did not complete successfully\n',
    );
    const { code, stdout } = await filter.end();
    expect(code).toBe(1);
    expect(stdout).toContain(
      '[ric-addon 1/1] RUN build-ric-addon: ERROR: process did not complete successfully',
    );
    expect(stdout).toContain('ERROR: failed to build');
  });
});
