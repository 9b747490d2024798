// Structured logging for every component: JSON lines (pino) to stderr or a file.
// Level from TABBY_LOG_LEVEL / LOG_LEVEL (Calico's names accepted: debug, info, warning, error, fatal, panic).
import pino, { type Logger } from 'pino';

const calicoToPino: Record<string, string> = {
  debug: 'debug', info: 'info', warning: 'warn', warn: 'warn', error: 'error', fatal: 'fatal', panic: 'fatal',
  trace: 'trace', silent: 'silent', none: 'silent',
};

export function levelFromName(name: string | undefined, fallback = 'info'): string {
  return (name && calicoToPino[name.toLowerCase()]) || fallback;
}

export function createLogger(component: string, opts: { level?: string | undefined; file?: string | undefined } = {}): Logger {
  const level = levelFromName(opts.level ?? process.env.TABBY_LOG_LEVEL ?? process.env.LOG_LEVEL);
  const dest = opts.file ? pino.destination({ dest: opts.file, mkdir: true, sync: true }) : pino.destination(2);
  return pino({ level, base: { component, pid: process.pid } }, dest);
}

export type { Logger };
