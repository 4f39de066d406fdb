import { describe, expect, it } from 'vitest';
import { NpyFormatError, encodeNpy, parseNpy } from './npy';
import { crc32, readNpz, readZip, writeZip } from './npz';

// Written by NumPy 2.4 (numpy.savez / numpy.savez_compressed, which force zip64 local headers):
// a = arange(6).reshape(2, 3) * 0.5 as <f8; b = arange(6).reshape(3, 2) - 2 as <i8 in Fortran order;
// c = arange(8).reshape(2, 2, 2) as <f4; kintree_table = [[4294967295, 0, 0], [0, 1, 2]] as <u4.
const SAVEZ =
  'UEsDBC0AAAAAAAAAIQA8EQPJ//////////8FABQAYS5ucHkBABAAsAAAAAAAAACwAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzog' +
  'JzxmOCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCAzKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAg' +
  'ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAAAAAAAAAAAAAAAAAADgPwAAAAAAAPA/AAAAAAAA+D8AAAAAAAAAQAAA' +
  'AAAAAARAUEsDBC0AAAAAAAAAIQD3e7wm//////////8FABQAYi5ucHkBABAAsAAAAAAAAACwAAAAAAAAAJNOVU1QWQEAdgB7J2Rl' +
  'c2NyJzogJzxpOCcsICdmb3J0cmFuX29yZGVyJzogVHJ1ZSwgJ3NoYXBlJzogKDMsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAg' +
  'ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAK/v////////8AAAAAAAAAAAIAAAAAAAAA//////////8BAAAA' +
  'AAAAAAMAAAAAAAAAUEsDBC0AAAAAAAAAIQAdan4b//////////8FABQAYy5ucHkBABAAoAAAAAAAAACgAAAAAAAAAJNOVU1QWQEA' +
  'dgB7J2Rlc2NyJzogJzxmNCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCAyLCAyKSwgfSAgICAgICAgICAg' +
  'ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAAAAAAAAgD8AAABAAABAQAAAgEAAAKBAAADAQAAA' +
  '4EBQSwMELQAAAAAAAAAhABS3WEX//////////xEAFABraW50cmVlX3RhYmxlLm5weQEAEACYAAAAAAAAAJgAAAAAAAAAk05VTVBZ' +
  'AQB2AHsnZGVzY3InOiAnPHU0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAg' +
  'ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr/////AAAAAAAAAAAAAAAAAQAAAAIAAABQSwEC' +
  'LQMtAAAAAAAAACEAPBEDybAAAACwAAAABQAAAAAAAAAAAAAAgAEAAAAAYS5ucHlQSwECLQMtAAAAAAAAACEA93u8JrAAAACwAAAA' +
  'BQAAAAAAAAAAAAAAgAHnAAAAYi5ucHlQSwECLQMtAAAAAAAAACEAHWp+G6AAAACgAAAABQAAAAAAAAAAAAAAgAHOAQAAYy5ucHlQ' +
  'SwECLQMtAAAAAAAAACEAFLdYRZgAAACYAAAAEQAAAAAAAAAAAAAAgAGlAgAAa2ludHJlZV90YWJsZS5ucHlQSwUGAAAAAAQABADY' +
  'AAAAgAMAAAAA';
const SAVEZ_COMPRESSED =
  'UEsDBC0AAAAIAAAAIQA8EQPJ//////////8FABQAYS5ucHkBABAAsAAAAAAAAABYAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6l' +
  'oG6TZqGuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6CsaaOgq1CmQDLgYU8MAeQn+A0j+gNIMDhGJxAABQSwMELQAA' +
  'AAgAAAAhAPd7vCb//////////wUAFABiLm5weQEAEACwAAAAAAAAAFYAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbpNpoa6j' +
  'oJ6WX1RSlJgXn1+UkgoSDykqTQUKF2ckFqQCuRrGOgpGmjoKtQrkA65//yGAAQqYoDRU+D8jlM8MpQFQSwMELQAAAAgAAAAhAB1q' +
  'fhv//////////wUAFABjLm5weQEAEACgAAAAAAAAAFsAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbpNmoq6joJ6WX1RSlJgX' +
  'n1+UkgoSd0vMKU4FihdnJBakAvkaRjoKIKSpo1CrQB7gYgCDBnsg4QBEQNwAxAuA+AAQP3AAAFBLAwQtAAAACAAAACEAFLdYRf//' +
  '////////EQAUAGtpbnRyZWVfdGFibGUubnB5AQAQAJgAAAAAAAAAUAAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBuU2qirqOg' +
  'npZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RpGOgrGmjoKtQpkA67/QMCABBiBmAmIAVBLAQItAy0AAAAIAAAAIQA8EQPJWAAA' +
  'ALAAAAAFAAAAAAAAAAAAAACAAQAAAABhLm5weVBLAQItAy0AAAAIAAAAIQD3e7wmVgAAALAAAAAFAAAAAAAAAAAAAACAAY8AAABi' +
  'Lm5weVBLAQItAy0AAAAIAAAAIQAdan4bWwAAAKAAAAAFAAAAAAAAAAAAAACAARwBAABjLm5weVBLAQItAy0AAAAIAAAAIQAUt1hF' +
  'UAAAAJgAAAARAAAAAAAAAAAAAACAAa4BAABraW50cmVlX3RhYmxlLm5weVBLBQYAAAAABAAEANgAAABBAgAAAAA=';

const fromB64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

describe('.npy', () => {
  it('round-trips every supported dtype through encodeNpy / parseNpy', () => {
    const values = [0, 1, 2, 3, 4, 5];
    for (const dtype of ['f4', 'f8', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8'] as const) {
      const a = parseNpy(encodeNpy(values, [2, 3], dtype));
      expect(a.dtype).toBe(dtype);
      expect(a.shape).toEqual([2, 3]);
      expect(Array.from(a.data)).toEqual(values);
    }
    expect(Array.from(parseNpy(encodeNpy([-1.5, 2.25], [2], 'f8')).data)).toEqual([-1.5, 2.25]);
    expect(parseNpy(encodeNpy([7], [], 'i4')).shape).toEqual([]);
  });

  it('transposes Fortran-order arrays into C order', () => {
    // C-order [[0, 1, 2], [3, 4, 5]] written column by column.
    const a = parseNpy(encodeNpy([0, 3, 1, 4, 2, 5], [2, 3], 'f4', true));
    expect(Array.from(a.data)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('refuses what it cannot read, naming the file and the reason', () => {
    expect(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'x.npy')).toThrow(/x\.npy is not a \.npy array/);
    const big = encodeNpy([1, 2], [2], 'f8');
    const header = new TextDecoder().decode(big.subarray(10, 60)).replace("'<f8'", "'>f8'");
    big.set(new TextEncoder().encode(header), 10);
    expect(() => parseNpy(big, 'y.npy')).toThrow(/big-endian/);
    const obj = encodeNpy([1, 2], [2], 'f8');
    obj.set(new TextEncoder().encode(new TextDecoder().decode(obj.subarray(10, 60)).replace("'<f8'", "'|O' ")), 10);
    expect(() => parseNpy(obj, 'z.npy')).toThrow(NpyFormatError);
    expect(() => parseNpy(obj, 'z.npy')).toThrow(/z\.npy holds Python objects/);
    expect(() => parseNpy(encodeNpy([1, 2, 3, 4], [4], 'f8').subarray(0, 100), 't.npy')).toThrow(/t\.npy is truncated/);
  });
});

describe('.npz', () => {
  for (const [name, b64] of [['numpy.savez', SAVEZ], ['numpy.savez_compressed', SAVEZ_COMPRESSED]] as const) {
    it(`reads what ${name} writes (zip64 headers${name.endsWith('compressed') ? ', deflate' : ''})`, async () => {
      const arrays = await readNpz(fromB64(b64));
      expect([...arrays.keys()].sort()).toEqual(['a', 'b', 'c', 'kintree_table']);
      expect(arrays.get('a')!.shape).toEqual([2, 3]);
      expect(Array.from(arrays.get('a')!.data)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
      expect(arrays.get('b')!.dtype).toBe('i8');
      expect(Array.from(arrays.get('b')!.data)).toEqual([-2, -1, 0, 1, 2, 3]);
      expect(arrays.get('c')!.data).toBeInstanceOf(Float32Array);
      expect(Array.from(arrays.get('kintree_table')!.data)).toEqual([4294967295, 0, 0, 0, 1, 2]);
    });
  }

  it('writes stored archives that it reads back, with zip CRCs', async () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const zip = writeZip([
      ['v.npy', encodeNpy([1, 2, 3], [3], 'f4')],
      ['note.txt', new TextEncoder().encode('hi')],
    ]);
    expect([...(await readZip(zip)).keys()]).toEqual(['v.npy', 'note.txt']);
    const arrays = await readNpz(zip);
    expect([...arrays.keys()]).toEqual(['v']);
    expect(Array.from(arrays.get('v')!.data)).toEqual([1, 2, 3]);
    await expect(readNpz(zip.subarray(0, zip.length - 30), 'cut.npz')).rejects.toThrow(/cut\.npz is not a complete zip archive/);
  });
});
