import { describe, expect, it } from 'vitest';
import { BUILTIN_CONFIG, builtinConfig } from './config';

describe('builtin config', () => {
  it('is frozen all the way down and survives JSON', () => {
    expect(Object.isFrozen(BUILTIN_CONFIG)).toBe(true);
    expect(Object.isFrozen(BUILTIN_CONFIG.face)).toBe(true);
    expect(() => ((BUILTIN_CONFIG.face as { margin: number }).margin = 1)).toThrow();
    expect(JSON.parse(JSON.stringify(BUILTIN_CONFIG))).toEqual(BUILTIN_CONFIG);
  });

  it('replaces fields a section at a time and keeps the rest', () => {
    const c = builtinConfig({ layer: { reach: 0.12 }, matteRadius: 0.03 });
    expect(c.layer).toEqual({ ...BUILTIN_CONFIG.layer, reach: 0.12 });
    expect(c.matteRadius).toBe(0.03);
    expect(c.face).toEqual(BUILTIN_CONFIG.face);
    expect(Object.isFrozen(c.layer)).toBe(true);
    expect(BUILTIN_CONFIG.layer.reach).toBe(0.2);
  });
});
