/**
 * The repo's own lint rules ("rules that hold themselves"): the module layout of docs/architecture.md
 * checked on every lint run instead of by review.
 *
 * - `local/module-boundaries`: a module is imported only through its `index.ts`.
 * - `local/no-cycle`: no import cycles between the files of src/.
 */
import path from 'node:path';
import fs from 'node:fs';
import { importsOfFile, isInside, resolveImport, staticImports } from './resolve.mjs';

const hasIndex = (dir) => fs.existsSync(path.join(dir, 'index.ts')) || fs.existsSync(path.join(dir, 'index.tsx'));

/** The module a file belongs to: its nearest ancestor directory, up to `root`, with an index.ts. */
export function moduleOf(file, root) {
  for (let dir = path.dirname(file); dir === root || isInside(dir, root); dir = path.dirname(dir)) {
    if (hasIndex(dir)) return dir;
    if (dir === root) break;
  }
  return null;
}

/** Helpers for tests: `testing.ts` or `*-testing.ts`. */
export const isTestHelper = (file) => /^(?:.+-)?testing\.tsx?$/.test(path.basename(file));

/** Test code: test and spec files, and the test helpers themselves. */
export const isTestCode = (file) => /\.(?:test|spec)\.[cm]?[jt]sx?$/.test(path.basename(file)) || isTestHelper(file);

const rootOption = {
  type: 'object',
  properties: {
    root: { type: 'string', description: 'the source folder, relative to the working directory (default: src)' },
    includeTypeImports: { type: 'boolean' },
  },
  additionalProperties: false,
};

const rootOf = (context) => path.resolve(context.cwd, context.options[0]?.root ?? 'src');

/** Every import-like source literal of a file: import/export-from, `import()` and `import('x').T`. */
function sourceVisitors(check) {
  return {
    ImportDeclaration: (node) => check(node.source),
    ExportNamedDeclaration: (node) => node.source && check(node.source),
    ExportAllDeclaration: (node) => check(node.source),
    ImportExpression: (node) => node.source.type === 'Literal' && typeof node.source.value === 'string' && check(node.source),
    TSImportType: (node) => node.source?.type === 'Literal' && typeof node.source.value === 'string' && check(node.source),
  };
}

const toPosix = (p) => p.split(path.sep).join('/');

function relativeSpecifier(fromFile, to) {
  const rel = toPosix(path.relative(path.dirname(fromFile), to)) || '.';
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/**
 * `module-boundaries`. For an import in file F of file T (relative paths resolved as Vite does):
 * let M be T's module, the nearest folder above T with an index.ts. If F lies outside M, T must be
 * M/index.ts (the folder itself, `../pose`, is the same). `import type` counts too: types are part
 * of the public surface.
 *
 * - Nested modules are modules of their own: src/generate/job.ts imports
 *   src/generate/diffusion/pack.ts through src/generate/diffusion/index.ts.
 * - Folders without an index.ts are not modules; their files are entry points (src/ui/*.tsx), and
 *   importing them is not restricted. Worker entry points live in the module src/workers, whose
 *   index.ts starts them, so other modules never import a worker file.
 * - Test helpers (`testing.ts`, `*-testing.ts`, directly in a module's folder) are a second public
 *   surface for test code only: a test file (`*.test.ts`, `*.spec.ts`) or another test helper
 *   anywhere may import them; any other file may not, not even inside their own module, so test
 *   code never reaches the app.
 * - Test files are inside their module, so they may import its internals, and other modules only
 *   through index.ts or a test helper.
 */
const moduleBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Import a module only through its index.ts (or, from tests, its *-testing.ts helpers)' },
    schema: [rootOption],
    messages: {
      internal: "'{{specifier}}' reaches into module {{module}}/; import its index instead: '{{suggestion}}'.",
      testOnly: "'{{specifier}}' is a test helper; only *.test.ts files and other test helpers may import it.",
    },
  },
  create(context) {
    const root = rootOf(context);
    const file = context.filename;
    const fromTest = isTestCode(file);
    return sourceVisitors((literal) => {
      const target = resolveImport(file, literal.value);
      if (!target || !isInside(target, root)) return;
      const module = moduleOf(target, root);
      if (isTestHelper(target) && !fromTest) {
        context.report({ node: literal, messageId: 'testOnly', data: { specifier: literal.value } });
        return;
      }
      if (!module || isInside(file, module)) return;
      if (path.dirname(target) === module && (/^index\.tsx?$/.test(path.basename(target)) || isTestHelper(target))) return;
      // Keep the style of the original: with an extension (.mjs files importing .ts) or without.
      const withExtension = /\.[cm]?[jt]sx?$/.test(literal.value);
      const index = fs.existsSync(path.join(module, 'index.ts')) ? 'index.ts' : 'index.tsx';
      const suggestion = relativeSpecifier(file, withExtension ? path.join(module, index) : module);
      context.report({ node: literal, messageId: 'internal', data: { specifier: literal.value, module: toPosix(path.relative(root, module)), suggestion } });
    });
  },
};

/**
 * `no-cycle`: no file of src/ may reach itself through static imports. Checked per import: the
 * shortest path from the imported file back to this one is reported at the import, with every file
 * on it, so each file on a cycle shows the cycle at its own import.
 *
 * Type-only imports (`import type`, or every specifier `type`) are left out by default: TypeScript
 * erases them, so they cannot make modules evaluate in the wrong order (the bug cycles cause: a
 * value read before its module ran), and the type checker resolves cycles among types. Value
 * imports and re-exports are followed. Dynamic `import()` is left out too: it loads later, after
 * every static import has run. `includeTypeImports: true` follows type-only imports as well.
 */
const noCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'No import cycles between files of src/' },
    schema: [rootOption],
    messages: { cycle: 'Import cycle: {{cycle}}.' },
  },
  create(context) {
    const root = rootOf(context);
    const file = context.filename;
    const includeTypes = context.options[0]?.includeTypeImports ?? false;
    if (!isInside(file, root)) return {};
    const follows = (i) => (includeTypes || !i.typeOnly) && i.target !== null && isInside(i.target, root);

    /** Shortest import path from `start` back to `file` (breadth first), or null. */
    function pathBack(start) {
      const cameFrom = new Map([[start, null]]);
      const queue = [start];
      while (queue.length > 0) {
        const at = queue.shift();
        for (const next of importsOfFile(at)) {
          if (!follows(next)) continue;
          if (next.target === file) {
            const chain = [];
            for (let f = at; f !== null; f = cameFrom.get(f)) chain.unshift(f);
            return chain;
          }
          if (!cameFrom.has(next.target)) {
            cameFrom.set(next.target, at);
            queue.push(next.target);
          }
        }
      }
      return null;
    }

    return {
      Program(program) {
        for (const imp of staticImports(program)) {
          const target = resolveImport(file, imp.source);
          if (!follows({ target, typeOnly: imp.typeOnly })) continue;
          const chain = target === file ? [] : pathBack(target);
          if (!chain) continue;
          const cycle = [file, ...chain, file].map((f) => toPosix(path.relative(root, f))).join(' -> ');
          context.report({ node: imp.node.source, messageId: 'cycle', data: { cycle } });
        }
      },
    };
  },
};

export default {
  meta: { name: 'motionpaste-local', version: '1.0.0' },
  rules: { 'module-boundaries': moduleBoundaries, 'no-cycle': noCycle },
};
