/**
 * The local lint rules on a small source tree written to a temp folder (the rules read the files
 * an import names: index.ts files make modules, the cycle search reads imported files).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Linter, RuleTester } from 'eslint';
import plugin from './plugin.mjs';
import tsParser, { parseForESLint } from './parser.mjs';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-rules-'));
const src = path.join(tmp, 'src');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Writes the files ({ 'pose/index.ts': '...' }, relative to src/), returns their absolute paths. */
function tree(files) {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(src, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}
const at = (name) => path.join(src, name);

tree({
  'pose/index.ts': "export { track } from './track';\n",
  'pose/track.ts': 'export const track = 1;\n',
  'pose/types.ts': 'export type Frame = number;\n',
  'pose/node-testing.ts': 'export const fixture = 1;\n',
  'pose/testing.ts': 'export const helper = 1;\n',
  'pose/analysis/index.ts': "export { analyze } from './run';\n",
  'pose/analysis/run.ts': 'export const analyze = 1;\n',
  'gpu/index.ts': 'export const gpu = 1;\n',
  'gpu/device.ts': 'export const device = 1;\n',
  'ui/App.tsx': 'export const App = 1;\n',
  'ui/main.tsx': '',
  'cycle/index.ts': "export * from './a';\n",
  'cycle/a.ts': "import { b } from './b';\nexport const a = b;\n",
  'cycle/b.ts': "import { c } from './c';\nexport const b = c;\n",
  'cycle/c.ts': "import { a } from './a';\nexport const c = 1; void a;\n",
  'types/a.ts': "import type { B } from './b';\nexport type A = B;\n",
  'types/b.ts': "import type { A } from './a';\nexport type B = A | 1;\n",
  'lazy/a.ts': "export const load = () => import('./b');\n",
  'lazy/b.ts': "import { load } from './a';\nvoid load;\n",
});

const tester = new RuleTester({ languageOptions: { parser: tsParser } });
const options = [{ root: src }];

tester.run('module-boundaries', plugin.rules['module-boundaries'], {
  valid: [
    // Through the index, by folder or by file.
    { filename: at('gpu/device.ts'), code: "import { track } from '../pose';", options },
    { filename: at('gpu/device.ts'), code: "import { track } from '../pose/index';", options },
    { filename: at('gpu/device.ts'), code: "export * from '../pose/index.ts';", options },
    // Inside the module, any file; a nested module's index from its parent module.
    { filename: at('pose/index.ts'), code: "export { track } from './track';", options },
    { filename: at('pose/index.ts'), code: "export { analyze } from './analysis';", options },
    { filename: at('pose/analysis/run.ts'), code: "import type { Frame } from '../types';", options },
    // Folders without index.ts are not modules.
    { filename: at('ui/main.tsx'), code: "import { App } from './App';\nimport { gpu } from '../gpu';", options },
    // Packages, assets and files outside the root are not checked.
    { filename: at('gpu/device.ts'), code: "import * as ort from 'onnxruntime-web';\nimport url from './x.wasm?url';\nimport { x } from '../../tools/x.mjs';", options },
    // Test code may use test helpers of any module, and test helpers may build on others.
    { filename: at('gpu/device.test.ts'), code: "import { fixture } from '../pose/node-testing';\nimport { helper } from '../pose/testing';", options },
    { filename: at('gpu/gpu-testing.ts'), code: "import { fixture } from '../pose/node-testing';", options },
    { filename: at('pose/track.test.ts'), code: "import { track } from './track';", options },
  ],
  invalid: [
    {
      filename: at('gpu/device.ts'),
      code: "import { track } from '../pose/track';",
      options,
      errors: [{ messageId: 'internal', data: { specifier: '../pose/track', module: 'pose', suggestion: '../pose' } }],
    },
    {
      // Types go through the index too; so do re-exports and import types.
      filename: at('gpu/device.ts'),
      code: "import type { Frame } from '../pose/types';\nexport { track } from '../pose/track';\ntype F = import('../pose/types').Frame;",
      options,
      errors: [{ messageId: 'internal' }, { messageId: 'internal' }, { messageId: 'internal' }],
    },
    {
      // A nested module is a module of its own, also for its parent.
      filename: at('pose/track.ts'),
      code: "import { analyze } from './analysis/run';",
      options,
      errors: [{ messageId: 'internal', data: { specifier: './analysis/run', module: 'pose/analysis', suggestion: './analysis' } }],
    },
    {
      filename: at('ui/App.tsx'),
      code: "const device = await import('../gpu/device');",
      options,
      errors: [{ messageId: 'internal' }],
    },
    {
      // Tests of other modules use the index as well.
      filename: at('gpu/device.test.ts'),
      code: "import { track } from '../pose/track';",
      options,
      errors: [{ messageId: 'internal' }],
    },
    {
      // Test helpers are for test code only, even inside their own module.
      filename: at('pose/track.ts'),
      code: "import { fixture } from './node-testing';",
      options,
      errors: [{ messageId: 'testOnly' }],
    },
    {
      filename: at('gpu/device.ts'),
      code: "import { helper } from '../pose/testing';",
      options,
      errors: [{ messageId: 'testOnly' }],
    },
    {
      // A file outside the root (a Node script) keeps its extension style.
      filename: path.join(tmp, 'tools/check.test.mjs'),
      code: "import { track } from '../src/pose/track.ts';",
      options,
      languageOptions: { parser: undefined },
      errors: [{ messageId: 'internal', data: { specifier: '../src/pose/track.ts', module: 'pose', suggestion: '../src/pose/index.ts' } }],
    },
  ],
});

tester.run('no-cycle', plugin.rules['no-cycle'], {
  valid: [
    { filename: at('pose/track.ts'), code: "import type { Frame } from './types';", options },
    // Type-only cycles are erased by TypeScript; dynamic imports load after the static ones.
    { filename: at('types/a.ts'), code: fs.readFileSync(at('types/a.ts'), 'utf8'), options },
    { filename: at('lazy/a.ts'), code: fs.readFileSync(at('lazy/a.ts'), 'utf8'), options },
    { filename: at('lazy/b.ts'), code: fs.readFileSync(at('lazy/b.ts'), 'utf8'), options },
    // The index re-exports a, but nothing imports the index back.
    { filename: at('cycle/index.ts'), code: "export * from './a';", options },
  ],
  invalid: [
    {
      filename: at('cycle/a.ts'),
      code: fs.readFileSync(at('cycle/a.ts'), 'utf8'),
      options,
      errors: [{ messageId: 'cycle', data: { cycle: 'cycle/a.ts -> cycle/b.ts -> cycle/c.ts -> cycle/a.ts' }, line: 1 }],
    },
    {
      filename: at('cycle/c.ts'),
      code: fs.readFileSync(at('cycle/c.ts'), 'utf8'),
      options,
      errors: [{ messageId: 'cycle', data: { cycle: 'cycle/c.ts -> cycle/a.ts -> cycle/b.ts -> cycle/c.ts' } }],
    },
    {
      filename: at('types/a.ts'),
      code: fs.readFileSync(at('types/a.ts'), 'utf8'),
      options: [{ root: src, includeTypeImports: true }],
      errors: [{ messageId: 'cycle', data: { cycle: 'types/a.ts -> types/b.ts -> types/a.ts' } }],
    },
  ],
});

describe('parser', () => {
  it('gives ESLint ranges and 1-based lines on nodes and comments, also after non-ASCII text', () => {
    const code = "const é = '😀'; // note\n\nexport function f(x: number): number {\n  return x as number;\n}\n";
    const { ast } = parseForESLint(code, { filePath: 'a.ts' });
    const fn = ast.body[1];
    expect(fn.range).toEqual([code.indexOf('export'), code.length - 1]);
    expect(fn.loc.start).toEqual({ line: 3, column: 0 });
    expect(ast.comments[0]).toMatchObject({ type: 'Line', value: ' note', loc: { start: { line: 1, column: code.indexOf('//') } } });
    expect(ast.range).toEqual([0, code.length]);
  });

  it('reports a syntax error with its line and column', () => {
    const linter = new Linter();
    const messages = linter.verify('const a = ;\n', { files: ['**/*.ts'], languageOptions: { parser: tsParser } }, 'a.ts');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ fatal: true, line: 1 });
  });

  it('parses TSX and resolves scopes (an unused variable is found by a core rule)', () => {
    const linter = new Linter();
    const code = 'import { useState } from "react";\nexport const A = (p: { n: number }) => <div>{p.n}</div>;\nconst unused = 1;\n';
    const messages = linter.verify(code, { files: ['**/*.tsx'], languageOptions: { parser: tsParser }, rules: { 'no-unused-vars': 'error' } }, 'a.tsx');
    expect(messages.map((m) => m.message)).toEqual(["'useState' is defined but never used.", "'unused' is assigned a value but never used."]);
  });
});
