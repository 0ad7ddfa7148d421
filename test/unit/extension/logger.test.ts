import { describe, expect, it } from 'vitest';
import { createLogger, goLogTimestamp, LOG_PREFIX } from '../../../extension/src/logger.js';

const at = new Date('2026-01-02T03:04:05.678Z');

function capture(level: Parameters<typeof createLogger>[0]) {
  const lines: string[] = [];
  return {
    lines,
    logger: createLogger(
      level,
      (line) => lines.push(line),
      () => at,
    ),
  };
}

describe('createLogger', () => {
  it("writes AWS's line format with a UTC Go timestamp", () => {
    const { lines, logger } = capture('INFO');
    logger.info('Listening on 127.0.0.1:2773.');
    expect(lines).toEqual([`${LOG_PREFIX} 2026/01/02 03:04:05 INFO Listening on 127.0.0.1:2773.\n`]);
  });

  it('drops lines below the level and writes nothing at NONE', () => {
    const warn = capture('WARN');
    warn.logger.debug('d');
    warn.logger.info('i');
    warn.logger.warn('w');
    warn.logger.error('e');
    expect(warn.lines.map((line) => line.split(' ')[7])).toEqual(['WARN', 'ERROR']);
    expect(warn.logger.enabled('DEBUG')).toBe(false);

    const none = capture('NONE');
    none.logger.error('e');
    expect(none.lines).toEqual([]);
  });

  it('escapes control characters so a name cannot forge a second line', () => {
    const { lines, logger } = capture('DEBUG');
    logger.debug('cache miss: GetParameter "/a\nERROR forged"');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('/a\\x0aERROR forged');
    expect(lines[0]?.indexOf('\n')).toBe((lines[0]?.length ?? 0) - 1);
  });
});

describe('goLogTimestamp', () => {
  it('pads every field', () => {
    expect(goLogTimestamp(new Date('2026-11-05T07:08:09Z'))).toBe('2026/11/05 07:08:09');
  });
});
