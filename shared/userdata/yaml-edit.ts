// Editing a user-data document in place: values change, everything else (comments, key order,
// unknown keys, the #cloud-config line) stays. Placeholders are masked while the YAML is edited.
import { isMap, isScalar, isSeq, type Document, type Node, type YAMLMap } from 'yaml';
import { AppError } from '../errors';
import { CLOUD_CONFIG_HEADER, maskPlaceholders } from './validate';
import { parseYaml, stringifyYaml, syntaxDiagnostics, type PathSeg } from './yaml-doc';

export function unmaskPlaceholders(s: string): string {
  return s.replace(/\u27e6\u27e6/g, '{{').replace(/\u27e7\u27e7/g, '}}');
}

/** Parse `text` (or start a new document), let `edit` change it, and serialise it again. */
export function editUserData(text: string, edit: (doc: Document) => void): string {
  const source = text.trim() ? text : `${CLOUD_CONFIG_HEADER}\n`;
  const parsed = parseYaml(maskPlaceholders(source));
  const errors = syntaxDiagnostics(parsed).filter((d) => d.severity === 'error');
  if (errors.length)
    throw new AppError(
      'EINVALID',
      `the YAML has syntax errors (line ${errors[0].line}, column ${errors[0].column}); fix them first`,
      {
        diagnostics: errors,
      },
    );
  const doc = parsed.doc;
  if (doc.contents !== null && !isMap(doc.contents))
    throw new AppError('EINVALID', 'the document is not a map of keys; it cannot be edited as user-data');
  if (doc.contents === null) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  edit(doc);
  let out = unmaskPlaceholders(stringifyYaml(doc));
  if (source.startsWith(CLOUD_CONFIG_HEADER) && !out.startsWith(CLOUD_CONFIG_HEADER))
    out = `${CLOUD_CONFIG_HEADER}\n${out}`;
  // A document that was only the header gains a blank line after it from the serialiser; drop it.
  if (out.startsWith(`${CLOUD_CONFIG_HEADER}\n\n`) && !source.startsWith(`${CLOUD_CONFIG_HEADER}\n\n`))
    out = `${CLOUD_CONFIG_HEADER}\n${out.slice(CLOUD_CONFIG_HEADER.length + 2)}`;
  if (out.trimEnd() === `${CLOUD_CONFIG_HEADER}\n{}` || out.trimEnd() === `${CLOUD_CONFIG_HEADER}\n\n{}`)
    out = `${CLOUD_CONFIG_HEADER}\n`;
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Set a value at `path`, keeping the node (and its comments) when only a scalar changes. */
export function setValue(doc: Document, path: PathSeg[], value: unknown): void {
  const cur = doc.getIn(path, true) as Node | undefined;
  if (cur !== undefined && cur !== null) {
    const js = (cur as { toJSON?: () => unknown }).toJSON
      ? (cur as unknown as { toJSON(): unknown }).toJSON()
      : cur;
    if (same(js, value)) return;
    if (isScalar(cur) && (typeof value !== 'object' || value === null)) {
      cur.value = value;
      return;
    }
  }
  ensureMaps(doc, path.slice(0, -1));
  doc.setIn(path, doc.createNode(value));
}

/** Create empty maps along `path` where nothing (or null) is. */
export function ensureMaps(doc: Document, path: PathSeg[]): void {
  for (let i = 1; i <= path.length; i++) {
    const p = path.slice(0, i);
    const n = doc.getIn(p, true);
    if (n === undefined || n === null || (isScalar(n) && n.value === null)) doc.setIn(p, doc.createNode({}));
  }
}

/** Delete the key at `path`; then delete parent maps that became empty (up to `keepDepth`). */
export function deleteValue(doc: Document, path: PathSeg[], keepDepth = 0): void {
  if (doc.getIn(path, true) === undefined && !hasKey(doc, path)) return;
  doc.deleteIn(path);
  for (let i = path.length - 1; i > keepDepth; i--) {
    const p = path.slice(0, i);
    const n = doc.getIn(p, true);
    if (isMap(n) && n.items.length === 0) doc.deleteIn(p);
    else break;
  }
}

export function hasKey(doc: Document, path: PathSeg[]): boolean {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  return isMap(parent) && parent.has(path[path.length - 1]);
}

export function mapAt(doc: Document, path: PathSeg[]): YAMLMap | undefined {
  const n = path.length ? doc.getIn(path, true) : doc.contents;
  return isMap(n) ? n : undefined;
}

export function seqItems(doc: Document, path: PathSeg[]): unknown[] {
  const n = doc.getIn(path, true);
  return isSeq(n) ? n.items : [];
}
