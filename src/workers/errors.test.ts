import { describe, expect, it } from 'vitest';
import { MediaError, mediaErrors } from '../media';
import { NotReadyError } from '../project';
import { fromWire, installErrorTransfer, toWire } from './errors';

/** What a receiving realm sees: the wire form, structured-cloned as postMessage would. */
const across = (e: unknown) => fromWire(structuredClone(toWire(e)));

describe('errors across workers', () => {
  installErrorTransfer({ MediaError, NotReadyError });

  it('keeps the class and its fields of a registered error', () => {
    const e = across(mediaErrors.notAVideo('notes.txt'));
    expect(e).toBeInstanceOf(MediaError);
    expect((e as MediaError).code).toBe('not-a-video');
    expect(e.message).toContain('"notes.txt" is not a video file');
    expect(e.name).toBe('MediaError');
    expect(across(new NotReadyError('Wait for the pose analysis.'))).toBeInstanceOf(NotReadyError);
  });

  it('gives an unregistered error its name and message on a plain Error', () => {
    class Strange extends Error {
      override name = 'Strange';
    }
    const e = across(new Strange('odd'));
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(Strange);
    expect([e.name, e.message]).toEqual(['Strange', 'odd']);
  });

  it('carries what was thrown when it is not an Error, and leaves fields it cannot clone', () => {
    expect(across('just text').message).toBe('just text');
    const e = across(Object.assign(new MediaError('truncated', 'cut'), { port: () => 1 }));
    expect((e as MediaError).code).toBe('truncated');
    expect('port' in e).toBe(false);
  });
});
