// `tabby lab trace SRC DST [--verify]`: flags and output; the work is src/lab/trace.ts.
import type { Command } from 'commander';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './errors.ts';
import { addTraceOptions, packetFlags, type TraceFlags } from './trace.ts';
import { mustState } from '../lab/lab.ts';
import { labPlace, labTrace, LabTraceError } from '../lab/trace.ts';
import { renderJson, renderText } from '../trace/text.ts';

export function registerLabTraceCommand(lab: Command, nameOpt: (c: Command) => Command, labName: (o: { name?: string }) => string): void {
  nameOpt(addTraceOptions(lab.command('trace <src> <dst>').description('tabby trace in the lab; --verify proves each hop with a real probe and tcpdump')))
    .action(async (src: string, dst: string, f: TraceFlags & { name?: string }) => {
      if (f.output !== 'text' && f.output !== 'json') throw new CliError(`-o must be text or json, got "${f.output}"`, EXIT_USAGE);
      const state = mustState(labName(f));
      let r;
      try { r = await labTrace(state, src, dst, packetFlags(f), !!f.verify); } catch (e) {
        if (e instanceof LabTraceError) throw new CliError(e.message, e.usage ? EXIT_USAGE : EXIT_FAILED);
        throw e;
      }
      process.stdout.write(f.output === 'json' ? renderJson(r) : renderText(r, labPlace(state)));
      if (r.verdict === 'dropped' || (r.contradictions?.length ?? 0) > 0) process.exitCode = EXIT_FAILED;
    });
}
