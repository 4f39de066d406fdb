/**
 * What the local lint rules share: resolving a relative import to a file the way Vite and
 * TypeScript's `bundler` resolution do, and reading the static imports of a file that is not the
 * one being linted (for the cycle search).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseSync } from 'oxc-parser';

/** Extensions tried, in order, after the path as written (`./x` -> `./x.ts`, `./x/index.ts`). */
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.mjs', '.js'];
const INDEX_FILES = EXTENSIONS.map((e) => `index${e}`);

const isFile = (p) => {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

/**
 * The file a relative specifier in `fromFile` names, or null for package imports and for paths
 * that name no source file (assets, `?url` imports of wasm).
 */
export function resolveImport(fromFile, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../') && specifier !== '.' && specifier !== '..') return null;
  const bare = specifier.replace(/[?#].*$/, '');
  const base = path.resolve(path.dirname(fromFile), bare);
  if (EXTENSIONS.some((e) => base.endsWith(e)) && isFile(base)) return base;
  for (const e of EXTENSIONS) if (isFile(base + e)) return base + e;
  for (const f of INDEX_FILES) if (isFile(path.join(base, f))) return path.join(base, f);
  return null;
}

/** `file` lies below the directory `dir`. */
export function isInside(file, dir) {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * The import and re-export declarations of a program, as { node, source, typeOnly }: `node` is the
 * declaration, `source` its string literal. Dynamic `import()` calls are not included.
 */
export function staticImports(program) {
  const found = [];
  for (const node of program.body) {
    if (node.type === 'ImportDeclaration') {
      const typeOnly = node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type'));
      found.push({ node, source: node.source.value, typeOnly });
    } else if ((node.type === 'ExportNamedDeclaration' && node.source) || node.type === 'ExportAllDeclaration') {
      const typeOnly = node.exportKind === 'type' || (node.specifiers?.length > 0 && node.specifiers.every((s) => s.exportKind === 'type'));
      found.push({ node, source: node.source.value, typeOnly });
    }
  }
  return found;
}

const importCache = new Map();

/**
 * The static imports of a file on disk, resolved: [{ target, typeOnly }]. Cached per file and
 * modification time, because the cycle rule reads the same files once per linted file.
 */
export function importsOfFile(file) {
  let mtime;
  try {
    mtime = fs.statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const cached = importCache.get(file);
  if (cached && cached.mtime === mtime) return cached.imports;
  let imports = [];
  const code = fs.readFileSync(file, 'utf8');
  const lang = file.endsWith('.tsx') ? 'tsx' : file.endsWith('.ts') || file.endsWith('.mts') ? 'ts' : 'js';
  const result = parseSync(file, code, { lang, sourceType: 'module' });
  if (result.errors.length === 0) {
    imports = staticImports(result.program)
      .map(({ source, typeOnly }) => ({ target: resolveImport(file, source), typeOnly }))
      .filter((i) => i.target !== null);
  }
  importCache.set(file, { mtime, imports });
  return imports;
}
