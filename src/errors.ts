// The one error base the CLI, the CNI plugin and the logs share. `code` is stable and machine-readable
// (logged as `code`, matched by callers instead of message text): a name such as 'NotFound' or
// 'InvalidAddress' for Tabby's own errors, and the number where a protocol defines the code (CNI error codes,
// BGP NOTIFICATION codes), so those stay exactly as the specs print them. Exit codes are derived in src/ctl.

export class TabbyError<Code extends string | number = string> extends Error {
  constructor(readonly code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TabbyError';
  }
}

export function isTabbyError(e: unknown, code?: string | number): e is TabbyError<string | number> {
  return e instanceof TabbyError && (code === undefined || e.code === code);
}

/** The fields a log line carries for an error: its message, and its code when it has one. */
export function errorFields(e: unknown): { err: string; code?: string | number } {
  if (e instanceof TabbyError) return { err: e.message, code: e.code };
  return { err: e instanceof Error ? e.message : String(e) };
}
