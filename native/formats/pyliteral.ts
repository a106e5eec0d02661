/**
 * A strict parser for the Python literal that an .npy header holds, e.g.
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (500, 8), }` — never eval. It accepts dicts, tuples, lists,
 * quoted strings, integers (with Python 2's `L` suffix) and True/False/None, which covers every header numpy writes,
 * structured dtypes included (so they can be named in an error rather than misparsed).
 */
export type PyValue = string | number | boolean | null | PyValue[] | PyTuple | PyDict;
export interface PyTuple { readonly tuple: PyValue[] }
export interface PyDict { readonly dict: Map<string, PyValue> }

export class PyLiteralError extends Error {}

const MAX_DEPTH = 32;

export function parsePyLiteral(text: string): PyValue {
  let pos = 0;

  const fail = (what: string): never => {
    const near = text.slice(pos, pos + 20);
    throw new PyLiteralError(`${what} at character ${pos}${near ? ` near ${JSON.stringify(near)}` : ''}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };

  const parseString = (): string => {
    const q = text[pos]!;
    pos++;
    let out = '';
    while (pos < text.length && text[pos] !== q) {
      if (text[pos] === '\\') {
        const next = text[pos + 1];
        if (next === undefined) fail('unterminated escape');
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        pos += 2;
      } else {
        out += text[pos];
        pos++;
      }
    }
    if (pos >= text.length) fail('unterminated string');
    pos++;
    return out;
  };

  const parseSequence = (close: string, depth: number): { items: PyValue[]; trailingComma: boolean } => {
    const items: PyValue[] = [];
    let trailingComma = false;
    skipSpace();
    while (text[pos] !== close) {
      items.push(parseValue(depth + 1));
      skipSpace();
      trailingComma = false;
      if (text[pos] === ',') {
        pos++;
        trailingComma = true;
        skipSpace();
      } else if (text[pos] !== close) {
        fail(`expected ',' or '${close}'`);
      }
    }
    pos++;
    return { items, trailingComma };
  };

  const parseValue = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    skipSpace();
    const c = text[pos];
    if (c === undefined) return fail('unexpected end');
    if (c === "'" || c === '"') return parseString();
    if (c === '(') {
      pos++;
      const { items, trailingComma } = parseSequence(')', depth);
      // `(3)` is just 3 in Python; a one-tuple needs its comma.
      if (items.length === 1 && !trailingComma) return items[0]!;
      return { tuple: items };
    }
    if (c === '[') {
      pos++;
      return parseSequence(']', depth).items;
    }
    if (c === '{') {
      pos++;
      const dict = new Map<string, PyValue>();
      skipSpace();
      while (text[pos] !== '}') {
        skipSpace();
        const k = text[pos];
        if (k !== "'" && k !== '"') fail('expected a quoted key');
        const key = parseString();
        if (dict.has(key)) fail(`duplicate key ${JSON.stringify(key)}`);
        skipSpace();
        if (text[pos] !== ':') fail("expected ':'");
        pos++;
        dict.set(key, parseValue(depth + 1));
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          skipSpace();
        } else if (text[pos] !== '}') {
          fail("expected ',' or '}'");
        }
      }
      pos++;
      return { dict };
    }
    const word = /^(?:-?\d+L?|True|False|None)/.exec(text.slice(pos, pos + 40));
    if (!word) return fail('unexpected character');
    pos += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    const digits = word[0].endsWith('L') ? word[0].slice(0, -1) : word[0];
    const n = Number(digits);
    if (!Number.isSafeInteger(n)) fail(`integer ${digits} is too large`);
    return n;
  };

  const value = parseValue(0);
  skipSpace();
  if (pos !== text.length) fail('unexpected text after the value');
  return value;
}

export function isPyDict(v: PyValue): v is PyDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'dict' in v;
}
export function isPyTuple(v: PyValue): v is PyTuple {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'tuple' in v;
}

/** Python repr-ish rendering, for quoting a value in an error. */
export function pyRepr(v: PyValue): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return 'None';
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (isPyTuple(v)) return v.tuple.length === 1 ? `(${pyRepr(v.tuple[0]!)},)` : `(${v.tuple.map(pyRepr).join(', ')})`;
  return `{${[...v.dict].map(([k, x]) => `'${k}': ${pyRepr(x)}`).join(', ')}}`;
}
