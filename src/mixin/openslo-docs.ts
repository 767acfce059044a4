// Reads OpenSLO YAML files into plain objects while keeping each document's source map, so every
// validation error can say file, line, path and reason.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';

export interface SpecError {
  file: string;
  line?: number;
  /** JSON-pointer-like path inside the document, e.g. `/spec/objectives/0/target`. */
  path: string;
  reason: string;
}

export interface SpecDoc {
  file: string;
  /** Position of the document in its file (multi-document YAML). */
  index: number;
  value: unknown;
  /** Line of the node at `path`, or of its nearest existing parent. */
  lineOf(path: (string | number)[]): number | undefined;
}

export function formatSpecError(e: SpecError): string {
  return `${e.file}${e.line !== undefined ? `:${e.line}` : ''} ${e.path || '/'}: ${e.reason}`;
}

function locator(doc: Document, lines: LineCounter) {
  return (path: (string | number)[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return lines.linePos(range[0]).line;
    }
    return undefined;
  };
}

/** Parses one file's text; YAML syntax errors come back as SpecErrors, not exceptions. */
export function parseSpecText(file: string, text: string): { docs: SpecDoc[]; errors: SpecError[] } {
  const lines = new LineCounter();
  const docs: SpecDoc[] = [];
  const errors: SpecError[] = [];
  parseAllDocuments(text, { lineCounter: lines }).forEach((doc, index) => {
    if (!('errors' in doc)) return;
    for (const e of doc.errors) {
      errors.push({
        file,
        line: lines.linePos(e.pos[0]).line,
        path: `#${index}`,
        reason: e.message.split('\n')[0] ?? '',
      });
    }
    if (doc.errors.length > 0 || doc.contents === null) return;
    docs.push({ file, index, value: doc.toJS(), lineOf: locator(doc, lines) });
  });
  return { docs, errors };
}

/** Every `*.yaml`/`*.yml` file of `dir` (sorted, so output order never depends on the disk). */
export function readSpecDir(dir: string, displayRoot = dir): { docs: SpecDoc[]; errors: SpecError[] } {
  const docs: SpecDoc[] = [];
  const errors: SpecError[] = [];
  if (!existsSync(dir))
    return { docs, errors: [{ file: displayRoot, path: '', reason: 'no such directory' }] };
  const names = readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort();
  for (const name of names) {
    const parsed = parseSpecText(join(displayRoot, name), readFileSync(join(dir, name), 'utf8'));
    docs.push(...parsed.docs);
    errors.push(...parsed.errors);
  }
  return { docs, errors };
}
