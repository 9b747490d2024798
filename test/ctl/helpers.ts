// Runs `tabby` in-process against a MemoryDatastore, capturing stdout/stderr and the exit code.
import { main } from '../../src/ctl/main.ts';
import { setCtlOverrides } from '../../src/ctl/context.ts';
import { MemoryDatastore } from '../../src/datastore/memory.ts';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class CtlHarness {
  readonly ds = new MemoryDatastore();

  async run(args: string[], stdin?: string): Promise<RunResult> {
    let stdout = '';
    let stderr = '';
    const restore = setCtlOverrides({
      datastore: this.ds,
      stdout: (s) => { stdout += s; },
      stderr: (s) => { stderr += s; },
      stdin: stdin === undefined ? undefined : async () => stdin,
    });
    // main() prints the final error itself through process.stderr; capture that too.
    const realWrite = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => { stderr += String(chunk); return true; }) as typeof process.stderr.write;
    // main() reads process.exitCode, which node:test sets to 1 once any test has failed: isolate it.
    const prevExit = process.exitCode;
    process.exitCode = undefined;
    try {
      const code = await main(args);
      return { code, stdout, stderr };
    } finally {
      process.exitCode = prevExit;
      process.stderr.write = realWrite;
      restore();
    }
  }
}

/** Split a tabwriter table into rows of cells (cells are separated by 2+ spaces or a padded boundary). */
export function tableRows(text: string): string[][] {
  return text.trimEnd().split('\n').map((l) => l.trim().split(/\s{2,}/));
}
