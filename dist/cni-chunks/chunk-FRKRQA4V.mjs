import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);

// src/log.ts
import pino from "pino";
var calicoToPino = {
  debug: "debug",
  info: "info",
  warning: "warn",
  warn: "warn",
  error: "error",
  fatal: "fatal",
  panic: "fatal",
  trace: "trace",
  silent: "silent",
  none: "silent"
};
function levelFromName(name, fallback = "info") {
  return name && calicoToPino[name.toLowerCase()] || fallback;
}
function createLogger(component, opts = {}) {
  const level = levelFromName(opts.level ?? process.env.TABBY_LOG_LEVEL ?? process.env.LOG_LEVEL);
  const dest = opts.file ? pino.destination({ dest: opts.file, mkdir: true, sync: true }) : pino.destination(2);
  return pino({ level, base: { component, pid: process.pid } }, dest);
}

export {
  createLogger
};
