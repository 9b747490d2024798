// Which files `-f DIR` reads, as calicoctl's file iterator walks them: the directory's .yaml/.yml/.json files
// (extension in any case) in name order, and with `-R/--recursive` those of every subdirectory too, each at
// its place in the walk (Go's filepath.Walk: entries in lexical order, depth first).
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';

const INPUT_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export async function inputFilesUnder(dir: string, recursive: boolean): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) files.push(...(await inputFilesUnder(path, true)));
    } else if (INPUT_EXTENSIONS.has(extname(e.name).toLowerCase())) {
      files.push(path);
    }
  }
  return files;
}

/** calicoctl's file flags, shared by create, apply, replace, delete, get and validate. */
export interface InputFileOptions {
  recursive?: boolean;
  /** Empty files (and an empty directory) are not an error; with nothing to do the command says so. */
  skipEmpty?: boolean;
}
