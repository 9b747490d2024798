// Exit codes scripts can rely on. 0 ok; 1 operation failed (resource errors, not found, conflict);
// 2 usage error (bad flags, unknown kind, malformed input file); 3 datastore unavailable.
import { CommanderError } from 'commander';
import { isTabbyError, TabbyError } from '../errors.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNAVAILABLE = 3;

/** The stable code of a CliError, by exit code. */
const CLI_ERROR_CODES: Record<number, string> = { [EXIT_FAILED]: 'Failed', [EXIT_USAGE]: 'Usage', [EXIT_UNAVAILABLE]: 'Unavailable' };

/** An error whose message is already user-facing, with a chosen exit code. */
export class CliError extends TabbyError {
  constructor(message: string, readonly exitCode: number = EXIT_FAILED) {
    super(CLI_ERROR_CODES[exitCode] ?? 'Failed', message);
    this.name = 'CliError';
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // help and version displays are successes
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
    return EXIT_USAGE;
  }
  if (err instanceof CliError) return err.exitCode;
  // A backend that cannot be reached (DatastoreError 'Unavailable', and anything else saying so).
  if (isTabbyError(err, 'Unavailable')) return EXIT_UNAVAILABLE;
  return EXIT_FAILED;
}

export function formatError(err: unknown): string {
  if (err instanceof CommanderError) return ''; // commander already printed it
  if (err instanceof Error) return err.message;
  return String(err);
}
