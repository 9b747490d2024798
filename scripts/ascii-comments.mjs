// V8 keeps a module's source for lazy compilation, as a one-byte string only if every character is ASCII: one
// '→' in a comment doubles the memory of a 450 KB bundle in every node process. esbuild escapes non-ASCII in
// strings and identifiers but keeps comments as written, so this rewrites the non-ASCII characters of comment
// lines in the bundles to '?' (a line that is not a comment is left alone and reported).
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NON_ASCII = /[^\x00-\x7f]/g;
const HAS_NON_ASCII = /[^\x00-\x7f]/;
const COMMENT_LINE = /^\s*(\/\/|\/\*|\*)/;
let left = 0;
let example = '';
for (const dir of process.argv.slice(2)) {
  for (const name of readdirSync(dir)) {
    if (!/\.(mjs|cjs|js)$/.test(name)) continue;
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    if (!HAS_NON_ASCII.test(text)) continue;
    const lines = text.split('\n').map((line) => {
      if (!HAS_NON_ASCII.test(line)) return line;
      if (COMMENT_LINE.test(line)) return line.replace(NON_ASCII, '?');
      left++;
      example ||= `${file}: ${line.trim().slice(0, 100)}`;
      return line;
    });
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, lines.join('\n'));
    renameSync(tmp, file); // atomic: a process loading the chunk now reads the old or the new file whole
  }
}
// Not a failure: the bundle still works, only its memory is not halved (old chunks kept for running processes may say so).
if (left) process.stderr.write(`ascii-comments: ${left} line(s) with non-ASCII characters outside comments, e.g. ${example}\n`);
