// Structured logging for every component: JSON lines (pino) to stderr or a file.
// Level from TABBY_LOG_LEVEL / LOG_LEVEL (Calico's names accepted: debug, info, warning, error, fatal, panic).
// One format for every Tabby log (this one, the CNI plugin's src/cni/log.ts and the CNI bundle's
// src/cni/log-shim.ts): {"level":"info","time":"<ISO 8601>","component":…,"pid":…,<fields>,"msg":…}, with
// logrus's level names as Calico prints them (warning, not warn). docs/logs.md describes the keys.
import pino, { type Logger } from 'pino';

const calicoToPino: Record<string, string> = {
  debug: 'debug', info: 'info', warning: 'warn', warn: 'warn', error: 'error', fatal: 'fatal', panic: 'fatal',
  trace: 'trace', silent: 'silent', none: 'silent',
};

/** pino's level label as Calico (logrus) names it. */
export function levelLabel(label: string): { level: string } {
  return { level: label === 'warn' ? 'warning' : label };
}

export function levelFromName(name: string | undefined, fallback = 'info'): string {
  return (name && calicoToPino[name.toLowerCase()]) || fallback;
}

/** Loggers whose level came from the environment: a later setLogLevel (the CLI's -l) changes them too. */
const envLevelled = new Set<Logger>();

export function createLogger(component: string, opts: { level?: string | undefined; file?: string | undefined } = {}): Logger {
  const level = levelFromName(opts.level ?? process.env.TABBY_LOG_LEVEL ?? process.env.LOG_LEVEL);
  const dest = opts.file ? pino.destination({ dest: opts.file, mkdir: true, sync: true }) : pino.destination(2);
  const log = pino({ level, base: { component, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: levelLabel } }, dest);
  if (opts.level === undefined) envLevelled.add(log);
  return log;
}

/** Sets the level of this process's environment-levelled loggers and of those created later (and children's). */
export function setLogLevel(name: string): void {
  process.env.TABBY_LOG_LEVEL = name;
  const level = levelFromName(name);
  for (const l of envLevelled) l.level = level;
}

export type { Logger };
