// The plugin's log: JSON lines appended to netconf log_file_path (Calico: /var/log/calico/cni/cni.log),
// warnings and errors also to stderr (runtimes capture it). Deliberately not pino: a CNI plugin is a
// short-lived process per pod and every millisecond of start-up counts.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const LEVELS = { debug: 10, info: 20, warning: 30, warn: 30, error: 40, fatal: 50, panic: 50 } as const;
type LevelName = keyof typeof LEVELS;

export interface CniLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Fields added to every later line (containerID, pod…). */
  bind(fields: Record<string, unknown>): void;
}

export interface CniLoggerOptions {
  level?: string | undefined;
  file?: string | undefined;
  component: string;
  /** The invoking process (default this one): the node agent logs a request it serves under the plugin's pid. */
  pid?: number;
  /** Fields on every line. */
  fields?: Record<string, unknown>;
  /** Where warnings and errors go besides the file (default this process's stderr). */
  stderr?: (line: string) => void;
}

export function createCniLogger(opts: CniLoggerOptions): CniLogger {
  const min = LEVELS[(opts.level?.toLowerCase() as LevelName) ?? 'info'] ?? LEVELS.info;
  const base: Record<string, unknown> = { component: opts.component, pid: opts.pid ?? process.pid, ...opts.fields };
  const toStderr = opts.stderr ?? ((line: string) => { process.stderr.write(line); });
  let fileOk = !!opts.file;
  if (opts.file) { try { mkdirSync(dirname(opts.file), { recursive: true }); } catch { fileOk = false; } }
  const write = (level: LevelName, msg: string, fields?: Record<string, unknown>) => {
    const n = LEVELS[level];
    if (n < min) return;
    // The same line shape as src/log.ts: level, time, component, pid, fields, msg.
    const line = JSON.stringify({ level, time: new Date().toISOString(), ...base, ...fields, msg }) + '\n';
    if (fileOk) { try { appendFileSync(opts.file!, line); } catch { fileOk = false; } }
    if (n >= LEVELS.warning) toStderr(line);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warning', m, f),
    error: (m, f) => write('error', m, f),
    bind: (f) => { Object.assign(base, f); },
  };
}

export const silentLogger: CniLogger = { debug() {}, info() {}, warn() {}, error() {}, bind() {} };
