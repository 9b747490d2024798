// calicoctl's `get -o` formats beyond the tables: parsing the -o value the way calicoctl's
// buildResourcePrinter does, `go-template=` / `go-template-file=` (executed on calicoctl's data shape:
// one <Kind>List per listed kind, the resources themselves when named), and `--export`.
import { readFile } from 'node:fs/promises';
import { API_VERSION, type Resource } from '../api/resource.ts';
import { OUTPUT_FORMATS, type OutputFormat } from './output.ts';
import { parseTemplate, TemplateError } from './go-template/parse.ts';
import { TemplateExecutor } from './go-template/exec.ts';
import { goList, goResource } from './go-template/go-values.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './errors.ts';

export type GetFormat =
  | { format: OutputFormat; columns?: string[] }
  | { format: 'go-template'; template: string }
  | { format: 'go-template-file'; file: string };

/** `-o ps|wide|yaml|yml|json|name|custom-columns=A,B|go-template=T|go-template-file=F`. */
export function parseOutputOption(o: string): GetFormat {
  if (o === 'yml') return { format: 'yaml' };
  if (o !== 'custom-columns' && (OUTPUT_FORMATS as string[]).includes(o)) return { format: o as OutputFormat };
  const eq = o.indexOf('=');
  const key = eq < 0 ? o : o.slice(0, eq);
  const value = eq < 0 ? '' : o.slice(eq + 1);
  switch (key) {
    case 'custom-columns': {
      // calicoctl splits on ',' and looks each heading up exactly (so `name` is not `NAME`).
      const columns = value.split(',');
      if (!value) throw new CliError('Failed to execute command: need to specify at least one column', EXIT_USAGE);
      return { format: 'custom-columns', columns };
    }
    case 'go-template':
      if (!value) throw new CliError('Failed to execute command: need to specify a template', EXIT_USAGE);
      return { format: 'go-template', template: value };
    case 'go-template-file':
      if (!value) throw new CliError('Failed to execute command: need to specify a template file', EXIT_USAGE);
      return { format: 'go-template-file', file: value };
  }
  throw new CliError(`Failed to execute command: unrecognized output format '${o}' (use ps, wide, yaml, json, name, custom-columns=A,B, go-template=TEMPLATE or go-template-file=FILE)`, EXIT_USAGE);
}

export interface TemplateInput {
  /** Resources named on the command line or in -f, each printed as itself. */
  named: Resource[];
  /** Kinds listed without names: each becomes one <Kind>List, as calicoctl's GetOrList returns it. */
  listed: Array<{ kind: string; items: Resource[] }>;
  resourceVersion?: string;
  /** calicoctl's config("asnumber"). */
  asNumber: string;
}

/** Run a go-template on calicoctl's data: a list ([]runtime.Object) of lists and/or resources. */
export async function renderGoTemplate(fmt: Extract<GetFormat, { format: 'go-template' | 'go-template-file' }>, input: TemplateInput): Promise<string> {
  let text: string;
  if (fmt.format === 'go-template') {
    text = fmt.template;
  } else {
    try {
      text = await readFile(fmt.file, 'utf8');
    } catch (e) {
      throw new CliError(`open ${fmt.file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`, EXIT_FAILED);
    }
  }
  const data = [
    ...input.listed.map((l) => goList(l.kind, API_VERSION, l.items, input.resourceVersion)),
    ...input.named.map(goResource),
  ];
  try {
    const nodes = parseTemplate(text);
    return new TemplateExecutor('get', {
      config: (name) => {
        if (name.toLowerCase() === 'asnumber') return input.asNumber;
        throw new TemplateError(`config: unhandled config type ${JSON.stringify(name)} (calicoctl knows only "asnumber")`);
      },
    }).execute(nodes, data);
  } catch (e) {
    // calicoctl prints the template error and exits 1; output written before the error stays written.
    if (e instanceof TemplateError) throw new TemplateFailure(e.message, e.partialOutput);
    throw e;
  }
}

export class TemplateFailure extends CliError {
  constructor(message: string, readonly partialOutput: string) {
    super(message, EXIT_FAILED);
  }
}

/**
 * `--export`, as calicoctl applies it: only to resources fetched by name (a plain list is left alone); it
 * clears namespace, uid, resourceVersion, creationTimestamp, deletionTimestamp and
 * deletionGracePeriodSeconds. A zero creationTimestamp is then omitted from YAML/JSON
 * (apimachinery's ObjectMeta tags it omitzero), so all six disappear.
 */
export function exportResource(r: Resource): Resource {
  const md: Record<string, unknown> = { ...r.metadata };
  for (const k of ['namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) delete md[k];
  return { ...r, metadata: md as unknown as Resource['metadata'] };
}
