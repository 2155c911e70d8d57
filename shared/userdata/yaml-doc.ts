// YAML parsing with positions: the `yaml` package's Document keeps comments, key order and
// unknown keys; a LineCounter turns offsets into 1-based line:column. Helpers find the node
// for a key path and list duplicate keys with both positions.
import {
  Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node,
  type Pair,
} from 'yaml';
import type { Diagnostic } from './diagnostics';

export type PathSeg = string | number;

export interface ParsedYaml {
  doc: Document.Parsed;
  lines: LineCounter;
  text: string;
}

export function parseYaml(text: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: false,
    prettyErrors: true,
    keepSourceTokens: false,
  });
  return { doc, lines, text };
}

/** Serialise without reformatting more than needed (flow collections stay tight). */
export function stringifyYaml(doc: Document): string {
  return doc.toString({ flowCollectionPadding: false, lineWidth: 0 });
}

export function pathToString(path: readonly PathSeg[]): string {
  return path.map(String).join('.');
}

export function posAt(p: ParsedYaml, offset: number): { line: number; column: number } {
  const lp = p.lines.linePos(Math.max(0, Math.min(offset, p.text.length)));
  return { line: lp.line, column: lp.col };
}

function keyString(pair: Pair): string | undefined {
  const k = pair.key;
  if (isScalar(k)) return String(k.value);
  if (k === null || k === undefined) return undefined;
  return String(k);
}

export interface Located {
  /** The deepest node that exists along the path. */
  node?: Node;
  /** The key node of the deepest pair found (points at the key rather than its value). */
  keyNode?: Node;
  /** How many path segments were found. */
  depth: number;
}

/** Walk the document along `path` as far as it exists. */
export function locate(p: ParsedYaml, path: readonly PathSeg[]): Located {
  let node = p.doc.contents as Node | null;
  let keyNode: Node | undefined;
  let depth = 0;
  for (const seg of path) {
    if (!node) break;
    if (isMap(node)) {
      const pair = node.items.find((it) => keyString(it) === String(seg));
      if (!pair) break;
      keyNode = isScalar(pair.key) ? (pair.key as Node) : undefined;
      node = (pair.value as Node | null) ?? null;
      depth++;
      if (!node) return { node: keyNode, keyNode, depth };
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      keyNode = undefined;
      node = item;
      depth++;
    } else break;
  }
  return { node: node ?? undefined, keyNode, depth };
}

/**
 * Position for a diagnostic about `path`. `at: 'key'` points at the key (typos, missing
 * children are reported at the parent's key); `at: 'value'` at the value.
 */
export function positionOf(
  p: ParsedYaml,
  path: readonly PathSeg[],
  at: 'key' | 'value' = 'value',
): { line: number; column: number } {
  const loc = locate(p, path);
  if (loc.depth === 0) return firstContentPos(p);
  const exact = loc.depth === path.length;
  let node: Node | undefined;
  if (exact && at === 'value') node = loc.node && loc.node !== loc.keyNode ? loc.node : loc.keyNode;
  else node = loc.keyNode ?? loc.node;
  if (!node?.range) return firstContentPos(p);
  return posAt(p, node.range[0]);
}

function firstContentPos(p: ParsedYaml): { line: number; column: number } {
  const c = p.doc.contents as Node | null;
  return c?.range ? posAt(p, c.range[0]) : { line: 1, column: 1 };
}

/** Every map with a repeated key: an error at the later occurrence naming both positions. */
export function duplicateKeys(p: ParsedYaml): Diagnostic[] {
  const out: Diagnostic[] = [];
  const walk = (node: unknown, path: PathSeg[]) => {
    if (isMap(node)) {
      const seen = new Map<string, Pair>();
      for (const pair of node.items) {
        const k = keyString(pair);
        if (k === undefined) continue;
        const first = seen.get(k);
        if (first && isScalar(pair.key) && pair.key.range && isScalar(first.key) && first.key.range) {
          const a = posAt(p, first.key.range[0]);
          const b = posAt(p, pair.key.range[0]);
          out.push({
            severity: 'error',
            rule: 'duplicate-key',
            path: pathToString([...path, k]),
            line: b.line,
            column: b.column,
            message: `duplicate key "${k}": first at line ${a.line}, column ${a.column}, again at line ${b.line}, column ${b.column}; YAML keeps only one, delete the other`,
          });
        } else if (!first) seen.set(k, pair);
        walk(pair.value, [...path, k]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((it, i) => walk(it, [...path, i]));
    } else if (isPair(node)) {
      walk(node.value, path);
    }
  };
  walk(p.doc.contents, []);
  return out;
}

/** The key path of the deepest map entry or list item whose source range holds `offset`. */
export function pathAtOffset(p: ParsedYaml, offset: number): PathSeg[] {
  const path: PathSeg[] = [];
  let node: unknown = p.doc.contents;
  const within = (n: unknown) => {
    const r = (n as { range?: [number, number, number] } | null)?.range;
    return !!r && offset >= r[0] && offset <= r[2];
  };
  for (let guard = 0; guard < 200 && node; guard++) {
    if (isMap(node)) {
      const pair = node.items.find((it) => {
        const k = it.key as { range?: [number, number, number] } | null;
        const start = k?.range?.[0];
        const v = it.value as { range?: [number, number, number] } | null;
        const end = v?.range?.[2] ?? k?.range?.[2];
        return start !== undefined && end !== undefined && offset >= start && offset <= end;
      });
      const k = pair ? keyString(pair) : undefined;
      if (!pair || k === undefined) break;
      path.push(k);
      node = pair.value;
    } else if (isSeq(node)) {
      const i = node.items.findIndex(within);
      if (i < 0) break;
      path.push(i);
      node = node.items[i];
    } else break;
  }
  return path;
}

/** YAML syntax errors and warnings from the parser, with line:col. */
export function syntaxDiagnostics(p: ParsedYaml): Diagnostic[] {
  const conv = (
    e: { message: string; code: string; pos: [number, number] },
    severity: 'error' | 'warning',
  ) => {
    let offset = e.pos[0];
    let first = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    const quote = /^Missing closing (["'])quote/.exec(first);
    if (quote) {
      // The parser reports the end of the input; the useful place is the quote that opened it.
      const open = p.text.lastIndexOf(quote[1], Math.max(0, offset - 1));
      if (open >= 0) {
        offset = open;
        first = `a ${quote[1] === '"' ? 'double' : 'single'}-quoted value starts here and is never closed (missing closing ${quote[1]})`;
      }
    }
    const { line, column } = posAt(p, offset);
    const at = pathToString(pathAtOffset(p, offset));
    return {
      severity,
      rule: severity === 'error' ? 'yaml-syntax' : 'yaml-warning',
      path: at,
      line,
      column,
      message: `YAML syntax: ${first}`,
    } satisfies Diagnostic;
  };
  return [...p.doc.errors.map((e) => conv(e, 'error')), ...p.doc.warnings.map((w) => conv(w, 'warning'))];
}
