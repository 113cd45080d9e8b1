import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The layering of the request/worker/job features (docs/architecture.md, "Layers"), read from
 * the source: which folder of src/ imports which. Shared folders (common, database, events,
 * config, auth, keys, …) are not checked here: the entity list and the event views name every
 * feature's types by design.
 */
const SRC = __dirname;
const FEATURES = [
  'requests',
  'workers',
  'jobs',
  'scheduling',
  'matcher',
  'timekeeper',
  'dryad',
  'supervision',
] as const;
type Feature = (typeof FEATURES)[number];

/** Folders that may not import the given ones (beyond the no-cycles rule). */
const FORBIDDEN: Array<{ from: Feature; to: Feature; why: string }> = [
  { from: 'requests', to: 'scheduling', why: 'requests/ sits below the job saga' },
  { from: 'workers', to: 'scheduling', why: 'workers/ sits below the job saga' },
  { from: 'requests', to: 'workers', why: 'the two aggregates stay apart' },
  { from: 'workers', to: 'requests', why: 'the two aggregates stay apart' },
  { from: 'requests', to: 'jobs', why: 'jobs/ binds requests and workers, above both' },
  { from: 'workers', to: 'jobs', why: 'jobs/ binds requests and workers, above both' },
  { from: 'jobs', to: 'scheduling', why: 'the job saga uses jobs/, not the other way' },
];

/** `from '…'`, `import '…'`, `import('…')`, `require('…')` and `export … from '…'`. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

export interface FolderImport {
  file: string;
  target: string;
}

/** The relative imports of `source` (a file at `file`) that leave its top-level folder. */
export function folderImports(file: string, source: string): FolderImport[] {
  const from = topFolder(file);
  const found: FolderImport[] = [];
  for (const match of source.matchAll(SPECIFIER)) {
    const target = topFolder(path.resolve(path.dirname(file), match[1]));
    if (target !== null && target !== from) found.push({ file, target });
  }
  return found;
}

function topFolder(file: string): string | null {
  const relative = path.relative(SRC, file);
  if (relative.startsWith('..')) return null;
  const [top, ...rest] = relative.split(path.sep);
  return rest.length === 0 ? null : top;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** feature → feature → the files that make the edge. */
export function featureGraph(
  files: ReadonlyArray<{ file: string; source: string }>,
): Map<string, Map<string, string[]>> {
  const features: readonly string[] = FEATURES;
  const graph = new Map<string, Map<string, string[]>>(FEATURES.map((f) => [f, new Map()]));
  for (const { file, source } of files) {
    for (const edge of folderImports(file, source)) {
      const from = topFolder(edge.file)!;
      if (!features.includes(from) || !features.includes(edge.target)) continue;
      const targets = graph.get(from)!;
      targets.set(edge.target, [...(targets.get(edge.target) ?? []), path.relative(SRC, file)]);
    }
  }
  return graph;
}

/** Every cycle found by a depth-first search, each as its path (`a → b → a`). */
export function cyclesOf(graph: Map<string, Map<string, string[]>>): string[] {
  const cycles: string[] = [];
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (node: string): void => {
    const at = onPath.indexOf(node);
    if (at >= 0) {
      cycles.push([...onPath.slice(at), node].join(' → '));
      return;
    }
    if (done.has(node)) return;
    onPath.push(node);
    for (const next of graph.get(node)?.keys() ?? []) visit(next);
    onPath.pop();
    done.add(node);
  };
  for (const node of graph.keys()) visit(node);
  return cycles;
}

describe('layering of src/', () => {
  const files = sourceFiles(SRC).map((file) => ({ file, source: fs.readFileSync(file, 'utf8') }));
  const graph = featureGraph(files);

  it.each(FORBIDDEN)('$from/ does not import $to/ ($why)', ({ from, to }) => {
    expect(graph.get(from)!.get(to) ?? []).toEqual([]);
  });

  it('has no import cycles among the feature folders', () => {
    expect(cyclesOf(graph)).toEqual([]);
  });

  // The checks above must be able to fail: they are run on made-up sources here.
  describe('the checks themselves', () => {
    const at = (relative: string) => path.join(SRC, relative);

    it('see every form of a relative import, from any depth', () => {
      const source = [
        "import { A } from '../scheduling/a';",
        "export { B } from '../../scheduling/b';",
        "import type { C } from '../jobs/c';",
        "const d = require('../workers/d');",
        "import './local';",
      ].join('\n');
      expect(folderImports(at('requests/x.ts'), source).map((i) => i.target)).toEqual([
        'scheduling',
        'jobs',
        'workers',
      ]);
      // One folder deeper, only `../../` leaves requests/.
      expect(folderImports(at('requests/sub/y.ts'), source).map((i) => i.target)).toEqual([
        'scheduling',
      ]);
    });

    it('find a forbidden import and a cycle', () => {
      const bad = featureGraph([
        { file: at('requests/a.ts'), source: "import { S } from '../scheduling/s';" },
        { file: at('scheduling/s.ts'), source: "import { J } from '../jobs/j';" },
        { file: at('jobs/j.ts'), source: "import { A } from '../requests/a';" },
      ]);
      expect(bad.get('requests')!.get('scheduling')).toEqual(['requests/a.ts']);
      expect(cyclesOf(bad)).toEqual(['requests → scheduling → jobs → requests']);
    });
  });
});
