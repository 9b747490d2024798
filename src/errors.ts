// The one error base the CLI, the CNI plugin and the logs share. `code` is a stable, machine-readable string
// (logged as `code`, matched by callers instead of message text); protocol-specific numbers (CNI error codes,
// exit codes) are derived from it where the error crosses a process boundary.

export class TabbyError extends Error {
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TabbyError';
  }
}

export function isTabbyError(e: unknown, code?: string): e is TabbyError {
  return e instanceof TabbyError && (code === undefined || e.code === code);
}
