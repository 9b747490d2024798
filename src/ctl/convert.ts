// `tabby convert -f FILE [-o yaml|json] [--ignore-validation]`: calicoctl's convert (Calico v1 API documents →
// projectcalico.org/v3), and Kubernetes networking.k8s.io/v1 NetworkPolicies → the Calico NetworkPolicy the
// Kubernetes datastore shows for them (`knp.default.<name>`, order 1000, the orchestrator selector). v3
// documents pass through unchanged, so a mixed file converts whole. Nothing is written to the datastore.
import type { Command } from 'commander';
import { convertV1, isV1Document } from '../api/v1-convert.ts';
import { isPlainObject } from '../api/schema.ts';
import { API_VERSION, type Resource } from '../api/resource.ts';
import { ResourceClient } from '../client/client.ts';
import { convertK8sNetworkPolicy } from '../policy/k8s-conversion.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { out } from './context.ts';
import { listOf, renderJson, renderYaml } from './output.ts';
import { describeFailure, loadDocuments, type InputDocument } from './resources.ts';

function isK8sNetworkPolicy(d: unknown): boolean {
  return isPlainObject(d) && d.apiVersion === 'networking.k8s.io/v1' && d.kind === 'NetworkPolicy';
}

/** One input document → its v3 resource; errors name the document. */
function convertOne(d: InputDocument): Resource {
  try {
    if (isV1Document(d.obj)) return convertV1(d.obj);
    if (isK8sNetworkPolicy(d.obj)) return convertK8sNetworkPolicy(d.obj) as Resource;
    if (isPlainObject(d.obj) && d.obj.apiVersion === API_VERSION) return d.obj as unknown as Resource;
  } catch (e) {
    throw new CliError(`Failed to execute command: ${d.source}: ${describeFailure(e)}`, EXIT_USAGE);
  }
  const what = isPlainObject(d.obj) ? `apiVersion ${JSON.stringify(d.obj.apiVersion)}, kind ${JSON.stringify(d.obj.kind)}` : 'not an object';
  throw new CliError(`Failed to execute command: ${d.source}: cannot convert ${what} ` +
    `(want a Calico v1 document (apiVersion: v1, kind policy|ipPool|bgpPeer|profile|hostEndpoint) or a networking.k8s.io/v1 NetworkPolicy)`, EXIT_USAGE);
}

export function registerConvertCommand(program: Command): void {
  program.command('convert')
    .description('Convert Calico v1 resources and Kubernetes NetworkPolicies to projectcalico.org/v3 (printed, not applied)')
    .requiredOption('-f, --filename <FILE>', 'file, directory or - (stdin)')
    .option('-o, --output <FORMAT>', 'yaml or json', 'yaml')
    .option('--ignore-validation', 'print the converted resources even when they do not validate')
    .action(async (opts: { filename: string; output: string; ignoreValidation?: boolean }) => {
      const format = opts.output === 'yml' ? 'yaml' : opts.output;
      if (format !== 'yaml' && format !== 'json') throw new CliError(`unrecognized output format '${opts.output}'`, EXIT_USAGE);
      const docs = await loadDocuments(opts.filename);
      if (docs.length === 0) throw new CliError(`Failed to execute command: no resources specified in ${opts.filename}`, EXIT_USAGE);
      const converted = docs.map(convertOne);
      if (!opts.ignoreValidation) {
        // Offline validation: normalize() is pure (defaults + rules), so the client needs no store.
        const client = new ResourceClient(undefined as never);
        for (const r of converted) {
          try {
            client.normalize(structuredClone(r));
          } catch (e) {
            throw new CliError(`Converted manifest resource(s) failed validation: ${describeFailure(e)}\n` +
              `Re-run the command with '--ignore-validation' flag to see the converted output.`);
          }
        }
      }
      const doc = converted.length === 1 ? converted[0]! : listOf('', converted);
      out(format === 'yaml' ? renderYaml(doc) : renderJson(doc));
    });
}
