// Go's fmt as templates use it: %v of a value ({{.X}} prints fmt.Sprint(x)), print/println/printf, and
// calicoctl's join/joinAndTruncate (printer.go: maps become sorted "k=v", anything else one item).
import { ABSENT, GoMap, GoStruct, GoTime, NO_VALUE, goTypeName } from './go-values.ts';
import { TemplateError } from './parse.ts';

/** fmt.Sprint of one value (%v). */
export function formatValue(v: unknown): string {
  if (v === ABSENT || v === undefined) return '';
  if (v === NO_VALUE) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof GoTime) return v.toString();
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (v instanceof GoMap) {
    const pairs = [...v.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${pairs.map(([k, x]) => `${k}:${formatValue(x)}`).join(' ')}]`;
  }
  if (v instanceof GoStruct) {
    const parts = [...v.embedded.map(([, e]) => formatValue(e)), ...[...v.fields.values()].map(formatValue)];
    return `{${parts.join(' ')}}`;
  }
  return String(v);
}

/** fmt.Sprint: a space between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

export function sprintln(args: unknown[]): string {
  return args.map(formatValue).join(' ') + '\n';
}

const VERB_RE = /%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*))?([a-zA-Z%])/g;

/** fmt.Sprintf for the verbs template users write: %v %s %d %q %t %f %x %X %%, with flags, width, precision. */
export function sprintf(format: string, args: unknown[]): string {
  let argi = 0;
  const out = format.replace(VERB_RE, (_whole: string, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (width === '*' || prec === '*') throw new TemplateError('printf: * width/precision is not supported by tabby');
    if (argi >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[argi++];
    const text = formatVerb(verb, arg, prec === undefined ? undefined : Number(prec), flags);
    return pad(text, width === undefined ? 0 : Number(width), flags);
  });
  if (argi < args.length) {
    const extra = args.slice(argi).map((a) => `${goTypeName(a)}=${formatValue(a)}`).join(', ');
    return `${out}%!(EXTRA ${extra})`;
  }
  return out;
}

function bad(verb: string, arg: unknown): string {
  return `%!${verb}(${goTypeName(arg)}=${formatValue(arg)})`;
}

function formatVerb(verb: string, arg: unknown, prec: number | undefined, flags: string): string {
  switch (verb) {
    case 'v':
      return formatValue(arg);
    case 's': {
      if (typeof arg === 'number' || typeof arg === 'boolean') return bad(verb, arg);
      const s = formatValue(arg);
      return prec === undefined ? s : [...s].slice(0, prec).join('');
    }
    case 'q':
      return typeof arg === 'string' ? JSON.stringify(arg) : bad(verb, arg);
    case 'd':
      if (typeof arg !== 'number' || !Number.isInteger(arg)) return bad(verb, arg);
      return flags.includes('+') && arg >= 0 ? `+${arg}` : String(arg);
    case 't':
      return typeof arg === 'boolean' ? String(arg) : bad(verb, arg);
    case 'f':
      return typeof arg === 'number' ? arg.toFixed(prec ?? 6) : bad(verb, arg);
    case 'x':
    case 'X': {
      let s: string;
      if (typeof arg === 'number' && Number.isInteger(arg)) s = arg.toString(16);
      else if (typeof arg === 'string') s = Buffer.from(arg, 'utf8').toString('hex');
      else return bad(verb, arg);
      return verb === 'X' ? s.toUpperCase() : s;
    }
    default:
      throw new TemplateError(`printf: verb %${verb} is not supported by tabby's go-template (supported: %v %s %d %q %t %f %x %X %%)`);
  }
}

function pad(text: string, width: number, flags: string): string {
  const len = [...text].length;
  if (len >= width) return text;
  if (flags.includes('-')) return text + ' '.repeat(width - len);
  if (flags.includes('0') && /^[+-]?\d/.test(text)) {
    const sign = /^[+-]/.test(text) ? text[0]! : '';
    return sign + '0'.repeat(width - len) + text.slice(sign.length);
  }
  return ' '.repeat(width - len) + text;
}

/** calicoctl's joinAndTruncate(items, separator, maxLen): a map as sorted k=v, a non-list as one item. */
export function joinAndTruncate(items: unknown, separator: string, maxLen: number): string {
  if (items === null || items === undefined || items === ABSENT || items === NO_VALUE) return '';
  let list: unknown[];
  if (items instanceof GoMap) {
    list = [...items.entries].map(([k, v]) => `${k}=${formatValue(v)}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } else {
    list = Array.isArray(items) ? items : [items];
  }
  let buf = '';
  for (let i = 0; i < list.length; i++) {
    if (i > 0) buf += separator;
    buf += formatValue(list[i]);
    if (maxLen > 0 && Buffer.byteLength(buf) > maxLen) {
      // Go truncates the byte buffer to maxLen-3 and appends "..."
      buf = Buffer.from(buf, 'utf8').subarray(0, Math.max(0, maxLen - 3)).toString('utf8') + '...';
      break;
    }
  }
  return buf;
}
