// The global `-l/--log-level` flag, as calicoctl has it: one of logrus's level names (calicoctl passes the
// value to logrus.ParseLevel and refuses anything else). A value that looks like a label selector is a
// kubectl habit (`-l app=x`) and gets its own message, since on this command line -l never filters.
import type { Command } from 'commander';
import { CliError, EXIT_USAGE } from './errors.ts';

/** logrus.ParseLevel's names (case-insensitive); calicoctl's help lists the first six. */
export const CALICOCTL_LOG_LEVELS = ['panic', 'fatal', 'error', 'warn', 'warning', 'info', 'debug', 'trace'] as const;

const SELECTOR_LIKE = /[=!()]|\s(in|notin)\s|^has\(/;

/** Throws a usage error for anything but a log level name; returns the level in lower case. */
export function checkLogLevel(value: string): string {
  const level = value.toLowerCase();
  if ((CALICOCTL_LOG_LEVELS as readonly string[]).includes(level)) return level;
  if (SELECTOR_LIKE.test(value)) {
    const m = /^([^=!\s]+)\s*==?\s*([^=\s]+)$/.exec(value);
    const hint = m ? `--selector '${m[1]} == "${m[2]}"'` : '--selector \'<calico selector>\'';
    throw new CliError(`-l/--log-level sets the log level (as in calicoctl), it is not a label selector: "${value}". ` +
      `To filter by labels use ${hint}`, EXIT_USAGE);
  }
  throw new CliError(`Unknown log level: ${value}, expected one of: panic, fatal, error, warn, info, debug.`, EXIT_USAGE);
}

/**
 * preAction hook: validates -l and, when it was given on the command line, applies it to every logger of
 * this process and its children (TABBY_LOG_LEVEL), then says so at info level as calicoctl does.
 */
export async function applyLogLevelFlag(root: Command): Promise<void> {
  const value = (root.opts() as { logLevel?: string }).logLevel ?? 'panic';
  const level = checkLogLevel(value);
  if (root.getOptionValueSource('logLevel') !== 'cli') return;
  const { createLogger, setLogLevel } = await import('../log.ts');
  setLogLevel(level);
  createLogger('ctl').info({ logLevel: level }, 'log level set');
}
