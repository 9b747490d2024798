// Snippets of the user docs, as the docs test runs them. The rule, stated once (docs/README.md repeats it):
//
//   ```sh            a command block: run, in order, in one shell per page (variables carry over); any failing
//                    command fails the test (bash -e -o pipefail).
//   ```sh host=NAME  run on host NAME of a real-host section (the test stands a network namespace in for it).
//   ```sh skip="why" shown, not run; the reason must be one the test knows (SKIP_ALLOWED), so a skip is a
//                    reviewed decision, not a quiet escape.
//   ```sh ci="how"   one of the README's CI entry points: checked as described in the test, never re-run here.
//   ```text expected right after a command block: every non-blank line must appear in the block's output, in
//                    order; runs of blanks compare equal and "…" stands for any text.
//
// Any other fence (yaml, json, text, none) is not a command; a fence of another language whose lines start
// with `tabby ` or `$ ` is an error, so a command cannot hide from the test in the wrong kind of block.

export interface Snippet {
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  attrs: Record<string, string>;
  body: string;
  /** The `text expected` block that follows, if any. */
  expected?: string;
}

const SHELL_LANGS = new Set(['sh', 'bash', 'shell']);

/** `sh host=host1 skip="a reason"` → { host: 'host1', skip: 'a reason' }. */
export function parseInfo(info: string): { lang: string; attrs: Record<string, string> } {
  const m = /^(\S*)\s*(.*)$/.exec(info.trim())!;
  const attrs: Record<string, string> = {};
  const re = /([a-z-]+)(?:=("([^"]*)"|\S+))?/g;
  for (const a of m[2]!.matchAll(re)) attrs[a[1]!] = a[3] ?? a[2] ?? '';
  return { lang: m[1]!, attrs };
}

interface Fence { line: number; lang: string; attrs: Record<string, string>; body: string; endLine: number }

function fences(markdown: string, page: string): Fence[] {
  const lines = markdown.split('\n');
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const close = lines.findIndex((l, j) => j > i && l.startsWith(open[1]!) && l.trim() === open[1]);
    if (close < 0) throw new Error(`${page}:${i + 1}: fence never closed`);
    out.push({ line: i + 1, ...parseInfo(open[2]!), body: lines.slice(i + 1, close).join('\n'), endLine: close + 1 });
    i = close;
  }
  return out;
}

/** The command blocks of a page, each with its expected output. Throws on a command in a non-shell fence. */
export function extractSnippets(markdown: string, page: string): Snippet[] {
  const all = fences(markdown, page);
  const lines = markdown.split('\n');
  const out: Snippet[] = [];
  all.forEach((f, i) => {
    if (!SHELL_LANGS.has(f.lang)) {
      if (f.lang !== 'text' && /^(\$ |tabby )/m.test(f.body)) throw new Error(`${page}:${f.line}: a command in a \`${f.lang || 'plain'}\` fence; use \`\`\`sh so the docs test runs it`);
      return;
    }
    const s: Snippet = { page, line: f.line, lang: f.lang, attrs: f.attrs, body: f.body };
    const next = all[i + 1];
    const between = next ? lines.slice(f.endLine, next.line - 1) : [];
    if (next && next.lang === 'text' && 'expected' in next.attrs && between.every((l) => l.trim() === '')) s.expected = next.body;
    out.push(s);
  });
  return out;
}

const norm = (s: string) => s.trim().replace(/\s+/g, ' ');

function lineMatcher(expected: string): RegExp {
  const parts = norm(expected).split(/…|\.\.\./).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}

/** The first expected line not found (in order) in the output, or undefined when all are there. */
export function missingExpectedLine(expected: string, actual: string): string | undefined {
  const got = actual.split('\n').map(norm);
  let at = 0;
  for (const want of expected.split('\n').filter((l) => l.trim() !== '')) {
    const re = lineMatcher(want);
    const idx = got.findIndex((g, j) => j >= at && re.test(g));
    if (idx < 0) return want;
    at = idx + 1;
  }
  return undefined;
}
