// Stand-in for src/log.ts inside the CNI bundles only (scripts/build-cni.mjs swaps it in): the datastore and
// IPAM modules log through createLogger(), and loading pino costs ~25 ms of a plugin start that happens
// once per pod. Same call shapes as pino (obj, msg) / (msg); JSON lines to stderr; default level warn.
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, warning: 40, error: 50, fatal: 60, panic: 60, silent: 100, none: 100 };

export function levelFromName(name: string | undefined, fallback = 'info'): string {
  const n = name?.toLowerCase();
  return n && n in LEVELS ? (n === 'warning' ? 'warn' : n === 'panic' ? 'fatal' : n === 'none' ? 'silent' : n) : fallback;
}

export interface Logger {
  trace(a: unknown, b?: string): void;
  debug(a: unknown, b?: string): void;
  info(a: unknown, b?: string): void;
  warn(a: unknown, b?: string): void;
  error(a: unknown, b?: string): void;
  fatal(a: unknown, b?: string): void;
  child(bindings: Record<string, unknown>): Logger;
  level: string;
}

function make(base: Record<string, unknown>, level: string): Logger {
  const min = LEVELS[level] ?? 40;
  const emit = (lvl: string) => (a: unknown, b?: string) => {
    if (LEVELS[lvl] < min) return;
    const fields = typeof a === 'object' && a !== null ? a as Record<string, unknown> : {};
    const msg = typeof a === 'string' ? a : b;
    // The same line shape as src/log.ts (pino with ISO times and logrus level names).
    process.stderr.write(JSON.stringify({ level: lvl === 'warn' ? 'warning' : lvl, time: new Date().toISOString(), ...base, ...fields, msg }) + '\n');
  };
  return {
    trace: emit('trace'), debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'), fatal: emit('fatal'),
    child: (b) => make({ ...base, ...b }, level),
    level,
  };
}

export function createLogger(component: string, opts: { level?: string; file?: string } = {}): Logger {
  return make({ component, pid: process.pid }, levelFromName(opts.level ?? process.env.TABBY_LOG_LEVEL, 'warn'));
}
