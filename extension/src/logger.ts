/**
 * Log lines in the shape of AWS's extension: `[<prefix>] 2006/01/02 15:04:05 LEVEL message` (UTC),
 * so log filters written for AWS's extension keep working. Messages carry names and outcomes only:
 * never a parameter value, a secret or a token (callers are responsible; tests assert it).
 */
import { writeSync } from 'node:fs';
import type { LogLevel } from './config.js';

export const LOG_PREFIX = '[Parameters and Secrets Lambda Extension]';

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, NONE: 100 };

export interface Logger {
  readonly level: LogLevel;
  enabled(level: Exclude<LogLevel, 'NONE'>): boolean;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LineWriter = (line: string) => void;

function pad(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** Go's log package default timestamp: `2006/01/02 15:04:05`, here always UTC like Lambda's clock. */
export function goLogTimestamp(date: Date): string {
  return (
    `${date.getUTCFullYear()}/${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

/** Control characters (a name can carry them) must not forge extra log lines. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

function oneLine(message: string): string {
  return message.replace(CONTROL_CHARACTERS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * One write(2) per line on fd 1, which is what process.stdout does for a pipe or a file on Linux (it is
 * synchronous there too), without creating that stream: its set-up costs ~2 ms of CPU on the first
 * line, which in a sandbox is written right after registration, while the runtime starts. A
 * descriptor that is non-blocking and full (EAGAIN) or takes part of a line hands the rest to
 * process.stdout, which queues it; a closed one (EPIPE, EBADF) loses the line: logging never fails
 * the extension.
 */
let viaStream = false;
export const stdoutWriter: LineWriter = (line) => {
  if (!viaStream) {
    const bytes = Buffer.from(line);
    let written = 0;
    try {
      written = writeSync(1, bytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
    if (written === bytes.length) return;
    viaStream = true;
    process.stdout.write(bytes.subarray(written));
    return;
  }
  process.stdout.write(line);
};

export function createLogger(
  level: LogLevel,
  write: LineWriter = stdoutWriter,
  now = () => new Date(),
): Logger {
  const threshold = RANK[level];
  const emit = (name: Exclude<LogLevel, 'NONE'>, message: string): void => {
    if (RANK[name] < threshold) return;
    write(`${LOG_PREFIX} ${goLogTimestamp(now())} ${name} ${oneLine(message)}\n`);
  };
  return {
    level,
    enabled: (name) => RANK[name] >= threshold,
    debug: (message) => emit('DEBUG', message),
    info: (message) => emit('INFO', message),
    warn: (message) => emit('WARN', message),
    error: (message) => emit('ERROR', message),
  };
}
