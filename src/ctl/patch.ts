// `tabby patch KIND NAME -p PATCH [-t strategic|merge|json]`: calicoctl's patch command. calicoctl's default
// type is strategic; it lists json and merge as "not yet implemented", so here they follow kubectl: `json` is
// RFC 6902 JSON Patch, `merge` RFC 7386 JSON Merge Patch. The patch may be JSON or YAML.
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { UnsupportedKindError } from '../client/client.ts';
import { PATCH_TYPES, type PatchType } from '../client/patches.ts';
import { isDatastoreError } from '../datastore/types.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './errors.ts';
import { out, withDatastore } from './context.ts';
import { checkNamespaceArgs, describeFailure, kindArg, namespaceOption, refuseReadOnly } from './resources.ts';

function parsePatch(text: string): unknown {
  try {
    return parseYaml(text);
  } catch (e) {
    throw new CliError(`Failed to execute command: the patch is not valid JSON: ${(e as Error).message.split('\n')[0]}`, EXIT_USAGE);
  }
}

function patchType(t: string): PatchType {
  if ((PATCH_TYPES as readonly string[]).includes(t)) return t as PatchType;
  throw new CliError(`Failed to execute command: unknown patch type '${t}' (want strategic, merge or json)`, EXIT_USAGE);
}

export function registerPatchCommand(program: Command): void {
  program.command('patch')
    .description('Change a resource in place with a strategic merge, JSON merge or JSON patch')
    .argument('<kind>', 'resource kind')
    .argument('<name>', 'resource name')
    .requiredOption('-p, --patch <PATCH>', 'the patch, e.g. \'{"spec":{"natOutgoing":true}}\'')
    .option('-t, --type <TYPE>', 'strategic (default: maps merge, lists are replaced, $patch: replace|delete), ' +
      'merge (JSON Merge Patch, RFC 7386) or json (JSON Patch, RFC 6902: [{"op":"replace","path":"/spec/x","value":…}])', 'strategic')
    .addOption(namespaceOption())
    .action(async (kind: string, name: string, opts: { patch: string; type: string; namespace?: string }, cmd: Command) => {
      const type = patchType(opts.type);
      const info = kindArg(kind);
      checkNamespaceArgs(info, opts);
      refuseReadOnly(info.kind, 'patch');
      const patch = parsePatch(opts.patch);
      await withDatastore(cmd, async ({ client }) => {
        try {
          await client.patch(info.kind, name, opts.namespace, patch, type);
        } catch (e) {
          if (isDatastoreError(e, 'Unavailable')) throw e;
          throw new CliError(`Failed to patch '${info.kind}' resource: [${describeFailure(e)}]`, e instanceof UnsupportedKindError ? EXIT_USAGE : EXIT_FAILED);
        }
        out(`Successfully patched 1 '${info.kind}' resource\n`);
      }, { namespace: opts.namespace });
    });
}
