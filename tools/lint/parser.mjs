/**
 * ESLint parser for TypeScript built on oxc-parser.
 *
 * Why not @typescript-eslint/parser: it needs TypeScript's JavaScript compiler API, which the
 * native TypeScript 7 this repo uses does not have. oxc-parser (Rust) gives a TS-ESTree
 * compatible AST; this module adds what ESLint needs on top of it: `range` and `loc` on every
 * node and comment, and a scope manager from @typescript-eslint/scope-manager.
 *
 * No tokens: oxc-parser hands them out only through its raw transfer, which needs Node 22, and the
 * repo supports Node 20. `ast.tokens` is therefore empty, so only rules that read the AST (not the
 * token stream, like formatting rules) give correct results with this parser. The local plugin's
 * rules are of that kind.
 */
import { parseSync } from 'oxc-parser';
import { analyze } from '@typescript-eslint/scope-manager';
import { visitorKeys } from '@typescript-eslint/visitor-keys';

/** Offsets where each line starts, to turn an offset into ESLint's { line (1-based), column }. */
function lineStarts(code) {
  const starts = [0];
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (code.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 0x2028 || c === 0x2029) starts.push(i + 1);
  }
  return starts;
}

function positionAt(starts, offset) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] };
}

/** Sets `range` and `loc` on a node, a comment or a token from its `start`/`end` offsets. */
function locate(starts, node) {
  node.range = [node.start, node.end];
  node.loc = { start: positionAt(starts, node.start), end: positionAt(starts, node.end) };
}

function locateTree(starts, node) {
  locate(starts, node);
  const keys = visitorKeys[node.type] ?? Object.keys(node).filter((k) => k !== 'parent');
  for (const key of keys) {
    const child = node[key];
    if (Array.isArray(child)) {
      for (const c of child) if (c && typeof c.type === 'string') locateTree(starts, c);
    } else if (child && typeof child.type === 'string') {
      locateTree(starts, child);
    }
  }
}

const LANGS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx' };

function langOf(filePath) {
  if (filePath.endsWith('.d.ts')) return 'dts';
  const ext = filePath.slice(filePath.lastIndexOf('.'));
  return LANGS[ext] ?? 'ts';
}

/**
 * @param {string} code
 * @param {{ filePath?: string, sourceType?: 'module' | 'script' }} [options]
 */
export function parseForESLint(code, options = {}) {
  const filePath = options.filePath ?? 'file.ts';
  const lang = langOf(filePath);
  const result = parseSync(filePath, code, { lang, sourceType: options.sourceType ?? 'module', range: true, preserveParens: false });
  if (result.errors.length > 0) {
    const first = result.errors[0];
    const offset = first.labels?.[0]?.start ?? 0;
    const at = positionAt(lineStarts(code), offset);
    // ESLint reports a thrown error with lineNumber/column as a parse error of the file.
    throw Object.assign(new SyntaxError(first.message), { lineNumber: at.line, column: at.column + 1, index: offset });
  }
  const ast = result.program;
  const starts = lineStarts(code);
  locateTree(starts, ast);
  // ESLint expects the Program to span the whole file, comments included.
  ast.start = 0;
  ast.end = code.length;
  locate(starts, ast);
  ast.comments = result.comments.map((c) => {
    const comment = { type: c.type, value: c.value, start: c.start, end: c.end };
    locate(starts, comment);
    return comment;
  });
  ast.tokens = [];
  const scopeManager = analyze(ast, {
    sourceType: 'module',
    jsxPragma: null, // react-jsx: JSX needs no React in scope
    lib: ['esnext', 'dom', 'webworker'],
    childVisitorKeys: visitorKeys,
  });
  return { ast, scopeManager, visitorKeys, services: {} };
}

export default { meta: { name: 'motionpaste-oxc-parser', version: '1.0.0' }, parseForESLint };
