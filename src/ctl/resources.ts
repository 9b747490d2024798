// calicoctl's resource commands: create/apply/replace/delete/get/patch/label/validate (+ version).
// Files are read completely and every document is checked before anything is written, so a file with one
// bad document changes nothing. Messages follow calicoctl ("Successfully applied 1 'IPPool' resource(s)").
import { readFile, stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { firstDuplicateKey, parseYamlDocuments } from './yaml-input.ts';
import { resolveKind, type KindInfo } from '../api/kinds.ts';
import { unknownKindMessage } from '../api/kind-suggest.ts';
import { resourceId, type Resource } from '../api/resource.ts';
import { ResourceClient, UnsupportedKindError, type PreparedWrite, type WriteMode } from '../client/client.ts';
import { ValidationError, describeResource, formatValue } from '../api/validate.ts';
import { unenforcedWarning } from '../api/unenforced.ts';
import { isPlainObject } from '../api/schema.ts';
import { DEFAULT_AS_NUMBER, DEFAULT_NAMESPACE } from '../api/defaults.ts';
import { isDatastoreError } from '../datastore/types.ts';
import { parseSelector, SelectorSyntaxError } from '../selector/index.ts';
import { CliError, EXIT_FAILED, EXIT_UNAVAILABLE, EXIT_USAGE } from './errors.ts';
import { err, out, readStdin, withDatastore } from './context.ts';
import { UnknownHeadingError, listOf, renderJson, renderNames, renderTable, renderYaml } from './output.ts';
import { registerVersionCommand } from './version.ts';
import { inputFilesUnder, type InputFileOptions } from './input-files.ts';
import { exportResource, parseOutputOption, renderGoTemplate, TemplateFailure } from './get-output.ts';
import { registerPatchCommand } from './patch.ts';

const K8S_NETWORKING_API = 'networking.k8s.io/v1';

/** One document from an input file, with where it came from (for error messages). */
export interface InputDocument {
  source: string;
  obj: unknown;
}

/** Split text into documents; `kind: List` / `<Kind>List` documents (as `get -o yaml` prints) are expanded. */
export function parseDocuments(text: string, source: string): InputDocument[] {
  const docs: InputDocument[] = [];
  const { docs: parsed, lineCounter } = parseYamlDocuments(text);
  parsed.forEach((d, i) => {
    const where = `${source} (document ${i + 1})`;
    if (d.errors.length) {
      const e = d.errors[0]!;
      throw new CliError(`Failed to execute command: error parsing ${where}: ${e.message.split('\n')[0]!.replace(/:$/, '')}`, EXIT_USAGE);
    }
    const dup = firstDuplicateKey(d, lineCounter);
    if (dup) {
      throw new CliError(`Failed to execute command: error parsing ${where}: Map keys must be unique at line ${dup.line}, column ${dup.col} (key "${formatValue(dup.key)}")`, EXIT_USAGE);
    }
    let obj: unknown;
    try {
      obj = d.toJS({ maxAliasCount: 100 });
    } catch (e) {
      // Errors found only when the document is built (an alias to a missing anchor, an alias bomb).
      throw new CliError(`Failed to execute command: error parsing ${where}: ${(e as Error).message.split('\n')[0]}`, EXIT_USAGE);
    }
    if (obj === null || obj === undefined) return; // empty document (e.g. a trailing ---)
    if (isPlainObject(obj) && typeof obj.kind === 'string' && (obj.kind === 'List' || obj.kind.endsWith('List')) && Array.isArray(obj.items)) {
      obj.items.forEach((item, j) => docs.push({ source: `${where} item ${j + 1}`, obj: item }));
      return;
    }
    docs.push({ source: where, obj });
  });
  return docs;
}

/**
 * Read `-f FILE|DIR|-`. A directory contributes its .yaml/.yml/.json files in name order (`recursive`: its
 * subdirectories' too); as in calicoctl, a file there without resources is an error unless `skipEmpty`.
 */
export async function loadDocuments(path: string, opts: InputFileOptions = {}): Promise<InputDocument[]> {
  if (path === '-') return parseDocuments(await readStdin(), 'stdin');
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new CliError(`Failed to execute command: open ${path}: no such file or directory`, EXIT_USAGE);
  }
  if (!st.isDirectory()) return parseDocuments(await readFile(path, 'utf8'), path);
  const docs: InputDocument[] = [];
  for (const file of await inputFilesUnder(path, opts.recursive ?? false)) {
    const found = parseDocuments(await readFile(file, 'utf8'), file);
    if (found.length === 0 && !opts.skipEmpty) throw new CliError(`Failed to execute command: no resources specified in file ${file}`, EXIT_USAGE);
    docs.push(...found);
  }
  if (docs.length === 0 && !opts.skipEmpty) throw new CliError(`Failed to execute command: no resources specified in directory ${path}`, EXIT_USAGE);
  return docs;
}

/** No documents: an error, or with --skip-empty calicoctl's "No resources specified" and success. */
function nothingToDo(opts: FileOptions): boolean {
  if (!opts.skipEmpty) throw new CliError(`Failed to execute command: no resources specified in ${opts.filename}`, EXIT_USAGE);
  out('No resources specified\n');
  return true;
}

/** Kubernetes NetworkPolicy documents become Calico NetworkPolicies (as the k8s datastore would show them). */
async function convertDocument(d: InputDocument): Promise<unknown> {
  if (isPlainObject(d.obj) && d.obj.apiVersion === K8S_NETWORKING_API && d.obj.kind === 'NetworkPolicy') {
    const { convertK8sNetworkPolicy } = await import('../policy/k8s-conversion.ts');
    try {
      return convertK8sNetworkPolicy(d.obj);
    } catch (e) {
      const md = isPlainObject(d.obj.metadata) ? d.obj.metadata : {};
      throw new ValidationError(`KubernetesNetworkPolicy(${String(md.namespace ?? DEFAULT_NAMESPACE)}/${String(md.name ?? '')})`, [
        { field: '(document)', value: d.source, message: (e as Error).message },
      ]);
    }
  }
  return d.obj;
}

function kindOf(obj: unknown): string {
  return isPlainObject(obj) && typeof obj.kind === 'string' ? obj.kind : '';
}

/** calicoctl names the kind when every document has the same one. */
function countPhrase(n: number, kinds: string[]): string {
  const uniq = [...new Set(kinds)];
  return uniq.length === 1 ? `${n} '${uniq[0]}' resource(s)` : `${n} resource(s)`;
}

/** `3 'IPPool' resources` or `3 resources` (calicoctl's partial-success wording). */
function countOf(n: number, kinds: string[]): string {
  const uniq = [...new Set(kinds)];
  return uniq.length === 1 ? `${n} '${uniq[0]}' resources` : `${n} resources`;
}

const PAST: Record<WriteMode | 'delete', string> = { create: 'created', apply: 'applied', replace: 'replaced', delete: 'deleted' };

/** Turn any failure into the text after `Failed to <verb> '<Kind>' resource: `. */
export function describeFailure(e: unknown): string {
  if (e instanceof ValidationError || e instanceof UnsupportedKindError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Where a failing document is, for errors that cannot name a resource (unknown kinds, non-objects). */
function whereFor(f: { error: unknown; source: string }): string {
  return f.error instanceof UnsupportedKindError || (f.error instanceof ValidationError && f.error.resource === 'resource') ? ` in ${f.source}` : '';
}

/** The exit code for a set of per-document failures: usage problems outrank resource errors. */
function exitCodeOf(errors: unknown[]): number {
  if (errors.some((e) => isDatastoreError(e, 'Unavailable'))) return EXIT_UNAVAILABLE;
  const malformed = (e: unknown) => e instanceof UnsupportedKindError || (e instanceof ValidationError && e.resource === 'resource') ||
    (e instanceof CliError && e.exitCode === EXIT_USAGE);
  if (errors.some(malformed)) return EXIT_USAGE;
  return EXIT_FAILED;
}

export function kindArg(name: string): KindInfo {
  const info = resolveKind(name);
  if (!info) throw new CliError(`Failed to execute command: ${unknownKindMessage(name)}`, EXIT_USAGE);
  return info;
}

interface FileOptions extends InputFileOptions { filename: string; namespace?: string; skipExists?: boolean; skipNotExists?: boolean }

/** calicoctl refuses to write ClusterInformation: the node agent owns it. */
const READ_ONLY_KINDS: Record<string, string> = { ClusterInformation: 'resource is readonly (the node agent manages it)' };

export function refuseReadOnly(kind: string, operation: string): void {
  const why = READ_ONLY_KINDS[kind];
  if (why) throw new CliError(`operation ${operation} is not supported on ${kind}: ${why}`, EXIT_FAILED);
}

/** create/apply/replace -f: check every document, then write them in order. */
async function writeFromFile(cmd: Command, mode: WriteMode, opts: FileOptions): Promise<void> {
  const docs = await loadDocuments(opts.filename, opts);
  if (docs.length === 0 && nothingToDo(opts)) return;
  await withDatastore(cmd, async ({ client }) => {
    const prepared: PreparedWrite[] = [];
    const failures: { kind: string; error: unknown; source: string }[] = [];
    let skipped = 0;
    for (const d of docs) {
      try {
        const converted = await convertDocument(d);
        refuseReadOnly(kindOf(converted), mode);
        checkNamespaceFlag(converted, opts.namespace);
        prepared.push(await client.prepare(converted, mode, prepared.map((p) => p.obj)));
      } catch (e) {
        if (mode === 'create' && opts.skipExists && isDatastoreError(e, 'AlreadyExists')) { skipped++; continue; }
        if (isDatastoreError(e, 'Unavailable')) throw e;
        failures.push({ kind: kindOf(d.obj) || 'unknown', error: e, source: d.source });
      }
    }
    if (failures.length) {
      for (const f of failures) err(`Failed to ${mode} '${f.kind}' resource: [${describeFailure(f.error)}]${whereFor(f)}\n`);
      const what = failures.length === docs.length ? 'all' : `${failures.length} of ${docs.length}`;
      throw new CliError(`Nothing was ${PAST[mode]}: ${what} document(s) failed validation.`, exitCodeOf(failures.map((f) => f.error)));
    }
    let done = 0;
    for (const p of prepared) {
      try {
        await client.commit(p);
        done++;
      } catch (e) {
        if (isDatastoreError(e, 'Unavailable')) throw e;
        const msg = describeFailure(e);
        if (done === 0) throw new CliError(`Failed to ${mode} '${p.obj.kind}' resource: [${msg}]`, EXIT_FAILED);
        throw new CliError(`Partial success: ${PAST[mode]} the first ${done} out of ${countOf(prepared.length, prepared.map((x) => x.obj.kind))}:\nHit error: ${msg}`, EXIT_FAILED);
      }
    }
    for (const p of prepared) { const w = unenforcedWarning(p.obj); if (w) err(`Warning: ${w}\n`); }
    const kinds = prepared.map((p) => p.obj.kind);
    out(`Successfully ${PAST[mode]} ${countPhrase(done, kinds)}\n`);
    if (skipped) out(`Skipped ${skipped} resource(s) that already exist\n`);
  }, { namespace: opts.namespace });
}

/** calicoctl handleNamespace: -n must agree with a document's namespace and is refused for cluster kinds. */
function checkNamespaceFlag(obj: unknown, namespace: string | undefined): void {
  if (!namespace || !isPlainObject(obj) || !isPlainObject(obj.metadata)) return;
  const info = resolveKind(kindOf(obj));
  if (info && !info.namespaced) throw new CliError(`${info.kind} is not namespaced`, EXIT_USAGE);
  const ns = obj.metadata.namespace;
  if (typeof ns === 'string' && ns !== '' && ns !== namespace) {
    throw new ValidationError(describeResource(obj), [{ field: 'metadata.namespace', value: ns, message: `resource namespace does not match client namespace. ${ns} != ${namespace}` }]);
  }
}

/** For KIND arguments: -n/-A make no sense on cluster-scoped kinds (calicoctl refuses them too). */
export function checkNamespaceArgs(info: KindInfo, opts: { namespace?: string; allNamespaces?: boolean }): void {
  if (opts.namespace !== undefined && opts.allNamespaces) throw new CliError('Failed to execute command: cannot use both --namespace and --all-namespaces flags at the same time', EXIT_USAGE);
  if (!info.namespaced && (opts.namespace !== undefined || opts.allNamespaces)) throw new CliError(`Failed to execute command: ${info.kind} is not namespaced`, EXIT_USAGE);
}

async function deleteFromFile(cmd: Command, opts: FileOptions): Promise<void> {
  const docs = await loadDocuments(opts.filename, opts);
  if (docs.length === 0 && nothingToDo(opts)) return;
  const targets = await Promise.all(docs.map(async (d) => {
    const obj = await convertDocument(d);
    const md = isPlainObject(obj) && isPlainObject(obj.metadata) ? obj.metadata : {};
    const kind = kindOf(obj);
    if (!resolveKind(kind) || resolveKind(kind)!.kind !== kind) throw new CliError(`Failed to delete '${kind || 'unknown'}' resource: [${unknownKindMessage(kind)}] (${d.source})`, EXIT_USAGE);
    if (typeof md.name !== 'string' || !md.name) throw new CliError(`Failed to delete '${kind}' resource: [metadata.name is required] (${d.source})`, EXIT_USAGE);
    return { kind, name: md.name, namespace: typeof md.namespace === 'string' && md.namespace ? md.namespace : opts.namespace, rv: typeof md.resourceVersion === 'string' ? md.resourceVersion : undefined };
  }));
  await withDatastore(cmd, async ({ client }) => deleteAll(client, targets, opts.skipNotExists ?? false), { namespace: opts.namespace });
}

async function deleteAll(client: ResourceClient, targets: { kind: string; name: string; namespace?: string | undefined; rv?: string | undefined }[], skipNotExists: boolean): Promise<void> {
  let done = 0;
  let skipped = 0;
  for (const t of targets) {
    try {
      refuseReadOnly(t.kind, 'delete');
      await client.delete(t.kind, t.name, t.namespace, t.rv);
      done++;
    } catch (e) {
      if (skipNotExists && isDatastoreError(e, 'NotFound')) { skipped++; continue; }
      if (isDatastoreError(e, 'Unavailable')) throw e;
      const code = e instanceof UnsupportedKindError ? EXIT_USAGE : EXIT_FAILED;
      if (done === 0) throw new CliError(`Failed to delete '${t.kind}' resource: [${describeFailure(e)}]`, code);
      throw new CliError(`Partial success: deleted the first ${done} out of ${countOf(targets.length, targets.map((x) => x.kind))}:\nHit error: ${describeFailure(e)}`, code);
    }
  }
  out(`Successfully deleted ${countPhrase(done, targets.slice(0, done + skipped).map((t) => t.kind))}\n`);
}

interface GetOptions extends InputFileOptions { output: string; namespace?: string; allNamespaces?: boolean; selector?: string; filename?: string; export?: boolean }

/** `-l SELECTOR`, refused with calicoctl's words when it does not parse. */
function selectorOption(text: string): ReturnType<typeof parseSelector> {
  try {
    return parseSelector(text);
  } catch (e) {
    if (e instanceof SelectorSyntaxError) throw new CliError(`Failed to execute command: ${e.message}`, EXIT_USAGE);
    throw e;
  }
}

type GetTarget = { info: KindInfo; names: string[]; namespace?: string | undefined };

/** What `get` fetches: from the command line, or the kind/name of every document in -f. */
async function getTargets(kindName: string | undefined, names: string[], opts: GetOptions): Promise<GetTarget[]> {
  if (opts.filename) {
    if (kindName) throw new CliError('Failed to execute command: give either -f or KIND [NAME...], not both', EXIT_USAGE);
    return (await loadDocuments(opts.filename, opts)).map((d) => {
      const md = isPlainObject(d.obj) && isPlainObject(d.obj.metadata) ? d.obj.metadata : {};
      const info = kindArg(kindOf(d.obj));
      return { info, names: [String(md.name ?? '')], namespace: typeof md.namespace === 'string' ? md.namespace : undefined };
    });
  }
  if (!kindName) throw new CliError('Failed to execute command: a resource type is required (e.g. tabby get ippools)', EXIT_USAGE);
  const wanted = [{ info: kindArg(kindName), names }];
  checkNamespaceArgs(wanted[0]!.info, opts);
  return wanted;
}

async function getCommand(cmd: Command, kindName: string | undefined, names: string[], opts: GetOptions): Promise<void> {
  const output = parseOutputOption(opts.output);
  const { format } = output;
  const columns = 'columns' in output ? output.columns : undefined;
  const selector = opts.selector !== undefined ? selectorOption(opts.selector) : undefined;
  const wanted = await getTargets(kindName, names, opts);
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  await withDatastore(cmd, async ({ client, datastore }) => {
    const found: Resource[] = [];
    const missing: string[] = [];
    for (const w of wanted) {
      const ns = w.info.namespaced ? w.namespace ?? (opts.allNamespaces ? undefined : namespace) : undefined;
      if (w.names.length === 0) {
        found.push(...(await client.list(w.info.kind, ns)));
        continue;
      }
      for (const n of w.names) {
        const r = w.info.namespaced && ns === undefined
          ? (await client.list(w.info.kind)).filter((x) => x.metadata.name === n)
          : [await datastore.get(w.info.kind, n, ns)].filter((x): x is Resource => x !== undefined);
        if (r.length) found.push(...r);
        else missing.push(`resource does not exist: ${resourceId(w.info.kind, n, ns)} with error: ${w.info.kind} "${n}" not found`);
      }
    }
    let items = selector ? found.filter((r) => selector!.evaluate(r.metadata.labels ?? {})) : found;
    const listed = !opts.filename && names.length === 0;
    if (listed) items.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name));
    // calicoctl strips cluster-specific metadata only from resources fetched by name (not lists, not -f).
    if (opts.export && !opts.filename && names.length > 0) items = items.map(exportResource);
    // One table per kind (get -f may name several), each followed by calicoctl's blank line.
    const kinds = [...new Set(wanted.map((w) => w.info.kind))];
    if (output.format === 'go-template' || output.format === 'go-template-file') {
      const bgp = await datastore.get('BGPConfiguration', 'default');
      const input = {
        named: listed ? [] : items,
        listed: listed ? [{ kind: wanted[0]!.info.kind, items }] : [],
        resourceVersion: String(await datastore.revision()),
        asNumber: String(bgp?.spec?.asNumber ?? DEFAULT_AS_NUMBER),
      };
      try {
        out(await renderGoTemplate(output, input));
      } catch (e) {
        if (e instanceof TemplateFailure) out(e.partialOutput);
        throw e;
      }
    } else if (format === 'name') {
      out(renderNames(items));
    } else if (format === 'yaml' || format === 'json') {
      const single = !opts.filename && names.length === 1 && items.length === 1;
      const doc = single ? items[0]! : listOf(kinds.length === 1 ? kinds[0]! : '', items, String(await datastore.revision()));
      if (items.length || missing.length === 0) out(format === 'yaml' ? renderYaml(doc) : renderJson(doc));
    } else {
      for (const kind of kinds) {
        const info = resolveKind(kind)!;
        const withNamespace = info.namespaced && (opts.allNamespaces === true || opts.namespace !== undefined);
        const bgp = kind === 'Node' && format !== 'ps' ? await datastore.get('BGPConfiguration', 'default') : undefined;
        const ofKind = items.filter((r) => r.kind === kind);
        try {
          out(renderTable(kind, ofKind, { wide: format === 'wide', withNamespace, columns, ctx: { globalAsNumber: bgp?.spec?.asNumber ?? DEFAULT_AS_NUMBER } }));
        } catch (e) {
          if (e instanceof UnknownHeadingError) throw new CliError(`Failed to execute command: ${e.message}`, EXIT_USAGE);
          throw e;
        }
      }
    }
    if (missing.length) throw new CliError(`Failed to get resources: ${missing.join('; ')}`, EXIT_FAILED);
  });
}

/** `k=v` or `k` (with --remove). */
function parseLabelArg(arg: string, remove: boolean): { key: string; value?: string } {
  if (remove) {
    if (arg.includes('=')) throw new CliError(`Failed to execute command: with --remove give only the label key, not "${arg}"`, EXIT_USAGE);
    return { key: arg };
  }
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new CliError(`Failed to execute command: label must be key=value, got "${arg}"`, EXIT_USAGE);
  return { key: arg.slice(0, eq), value: arg.slice(eq + 1) };
}

async function validateFromFile(opts: FileOptions): Promise<void> {
  const docs = await loadDocuments(opts.filename, opts);
  if (docs.length === 0 && nothingToDo(opts)) return;
  // Offline: the client's normalize() is pure (defaults + validation), so a throwaway client has no store.
  const client = new ResourceClient(undefined as never, { defaultNamespace: opts.namespace });
  const failures: { kind: string; error: unknown; source: string }[] = [];
  for (const d of docs) {
    try {
      client.normalize(await convertDocument(d));
    } catch (e) {
      failures.push({ kind: kindOf(d.obj) || 'unknown', error: e, source: d.source });
    }
  }
  if (failures.length) {
    for (const f of failures) err(`Failed to validate '${f.kind}' resource: [${describeFailure(f.error)}]${whereFor(f)}\n`);
    throw new CliError(`${failures.length} of ${docs.length} document(s) failed validation.`, exitCodeOf(failures.map((f) => f.error)));
  }
  out(`Successfully validated ${countPhrase(docs.length, docs.map((d) => kindOf(d.obj)))}\n`);
}

const filenameOption = () => new Option('-f, --filename <FILE>', 'file, directory or - (stdin) with resources');
/** calicoctl's -R and --skip-empty, on every command that reads -f. */
function addInputFileOptions(c: Command): Command {
  return c.option('-R, --recursive', 'with -f DIR, also read the files in its subdirectories')
    .option('--skip-empty', 'do not fail on files (or a directory) without resources');
}
export const namespaceOption = () => new Option('-n, --namespace <NS>', 'namespace for namespaced resources (default "default")');

export function registerResourceCommands(program: Command): void {
  // In calicoctl's help order.
  registerWriteCommands(program);
  registerGetCommand(program);
  registerEditCommands(program);
  registerValidateCommand(program);
  registerVersionCommand(program);
}

/** create, apply, replace and delete: whole resources from files (or delete by name). */
function registerWriteCommands(program: Command): void {
  for (const [mode, desc] of [
    ['create', 'Create resources from a file (fails if any exists)'],
    ['apply', 'Create or update resources from a file'],
    ['replace', 'Replace existing resources from a file'],
  ] as const) {
    const c = addInputFileOptions(program.command(mode).description(desc).addOption(filenameOption().makeOptionMandatory()).addOption(namespaceOption()));
    if (mode === 'create') c.option('--skip-exists', 'skip resources that already exist instead of failing');
    c.action(async (opts: FileOptions, cmd: Command) => writeFromFile(cmd, mode, opts));
  }

  addInputFileOptions(program.command('delete')
    .description('Delete resources given in a file, or by KIND NAME...')
    .argument('[kind]', 'resource kind (ippool, bgppeer, networkpolicy, ...)')
    .argument('[names...]', 'resource names')
    .addOption(filenameOption())
    .addOption(namespaceOption())
    .option('-s, --skip-not-exists', 'do not fail for resources that do not exist'))
    .action(async (kind: string | undefined, names: string[], opts: FileOptions & { filename?: string }, cmd: Command) => {
      if (opts.filename) {
        if (kind) throw new CliError('Failed to execute command: give either -f or KIND NAME..., not both', EXIT_USAGE);
        return deleteFromFile(cmd, opts);
      }
      if (!kind || names.length === 0) throw new CliError('Failed to execute command: delete needs -f FILE or KIND NAME...', EXIT_USAGE);
      const info = kindArg(kind);
      checkNamespaceArgs(info, opts);
      await withDatastore(cmd, async ({ client }) => deleteAll(client, names.map((name) => ({ kind: info.kind, name, namespace: opts.namespace })), opts.skipNotExists ?? false), { namespace: opts.namespace });
    });
}

/** get: read the store as a table, YAML or JSON. */
function registerGetCommand(program: Command): void {
  addInputFileOptions(program.command('get')
    .description('Show resources as a table, YAML or JSON')
    .argument('[kind]', 'resource kind (ippools, nodes, wep, gnp, ...)')
    .argument('[names...]', 'resource names (default: all)')
    .option('-o, --output <FORMAT>', 'ps, wide, yaml, json, name, custom-columns=A,B, go-template=TEMPLATE or go-template-file=FILE', 'ps')
    .option('--export', 'strip cluster-specific metadata (namespace, uid, resourceVersion, creationTimestamp) from resources got by name')
    .addOption(filenameOption())
    .addOption(namespaceOption())
    .option('-A, --all-namespaces', 'all namespaces (namespaced kinds)')
    .addOption(new Option('-a, --all-namespaces-a', 'alias for --all-namespaces (calicoctl\'s hidden -a)').hideHelp())
    .option('--selector <EXPR>', 'only resources whose labels match this selector'))
    .action(async (kind: string | undefined, names: string[], opts: GetOptions & { allNamespacesA?: boolean }, cmd: Command) =>
      getCommand(cmd, kind, names, { ...opts, allNamespaces: opts.allNamespaces === true || opts.allNamespacesA === true }));
}

/** patch (src/ctl/patch.ts) and label: change one resource in place. */
function registerEditCommands(program: Command): void {
  registerPatchCommand(program);

  program.command('label')
    .description('Set or remove a label on a resource')
    .argument('<kind>', 'resource kind')
    .argument('<name>', 'resource name')
    .argument('<label>', 'key=value, or key with --remove')
    .option('--overwrite', 'replace the value of an existing label')
    .option('--remove', 'remove the label')
    .addOption(namespaceOption())
    .action(async (kind: string, name: string, label: string, opts: { overwrite?: boolean; remove?: boolean; namespace?: string }, cmd: Command) => {
      const info = kindArg(kind);
      checkNamespaceArgs(info, opts);
      refuseReadOnly(info.kind, 'label');
      const { key, value } = parseLabelArg(label, opts.remove ?? false);
      const what = `${info.kind.toLowerCase()} ${name}`;
      await withDatastore(cmd, async ({ client }) => {
        try {
          await client.modify(info.kind, name, opts.namespace, (cur) => {
            const labels = { ...(cur.metadata.labels ?? {}) };
            if (opts.remove) {
              if (!(key in labels)) throw new CliError(`Failed to remove label: label ${key} is not present on ${what}`, EXIT_FAILED);
              delete labels[key];
            } else {
              if (key in labels && labels[key] !== value && !opts.overwrite) {
                throw new CliError(`Failed to set label: label ${key} already exists on ${what} with value ${labels[key]}; use --overwrite to change it`, EXIT_FAILED);
              }
              labels[key] = value!;
            }
            cur.metadata.labels = labels;
            return cur;
          });
        } catch (e) {
          if (e instanceof CliError || isDatastoreError(e, 'Unavailable')) throw e;
          throw new CliError(`Failed to ${opts.remove ? 'remove' : 'set'} label: [${describeFailure(e)}]`, e instanceof UnsupportedKindError ? EXIT_USAGE : EXIT_FAILED);
        }
        out(opts.remove ? `Successfully removed label ${key} from ${what}\n` : `Successfully set label ${key} on ${what}\n`);
      }, { namespace: opts.namespace });
    });
}

/** validate: check files without a datastore. */
function registerValidateCommand(program: Command): void {
  addInputFileOptions(program.command('validate')
    .description('Check resources in a file without a datastore')
    .addOption(filenameOption().makeOptionMandatory())
    .addOption(namespaceOption()))
    .action(async (opts: FileOptions) => validateFromFile(opts));
}
