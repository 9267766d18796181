/**
 * Input encodings (issue 6, part 1): UTF-8 with or without BOM, GB18030/GBK,
 * `auto` detection, and strict decoding that names the byte offset and line
 * of the first bad byte instead of inventing replacement characters.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodingOf } from '../src/cli/options.js';
import { decodeBytes } from '../src/io/read-inputs.js';
import { runCli, SAMPLE, tempDir } from './helpers.js';
import { chineseSampleText, encodeGb18030 } from './support/inputs.js';

const CHINESE = '县代码,县名,贫困人口,农村人口,贫困县,考核结果,连片特困地区\n520111,甲县,40000,100000,是,好,乌蒙山区\n520112,乙县,10000,100000,否,未完成,滇桂黔石漠化区\n';

describe('decoding', () => {
  it('reads UTF-8 with and without a BOM, and GB18030 in auto mode', () => {
    const utf8 = Buffer.from(CHINESE, 'utf8');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
    const gb = encodeGb18030(CHINESE);
    expect(decodeBytes(utf8, 'auto', 'x.csv')).toEqual({ text: CHINESE, encoding: 'utf8' });
    expect(decodeBytes(bom, 'auto', 'x.csv')).toEqual({ text: CHINESE, encoding: 'utf8-bom' });
    expect(decodeBytes(gb, 'auto', 'x.csv')).toEqual({ text: CHINESE, encoding: 'gb18030' });
    expect(decodeBytes(gb, 'gb18030', 'x.csv')).toEqual({ text: CHINESE, encoding: 'gb18030' });
    expect(gb.equals(utf8)).toBe(false);
  });

  it('accepts gbk as a name for gb18030, and utf-8 for utf8', () => {
    expect(encodingOf('gbk')).toBe('gb18030');
    expect(encodingOf('GB18030')).toBe('gb18030');
    expect(encodingOf('utf-8')).toBe('utf8');
    expect(() => encodingOf('big5')).toThrow(/expected auto, utf8 or gb18030/);
  });

  it('names the byte and line of invalid UTF-8 when utf8 is asked for', () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    const { problem } = decodeBytes(bytes, 'utf8', 'x.csv');
    expect(problem).toEqual({ file: 'x.csv', line: 3, message: 'byte 10 (0xc3) is not valid UTF-8: if the file was saved by Excel in Chinese, try --encoding gb18030' });
  });

  it('reads GB18030 bytes as GB18030, not as replacement characters, when utf8 is asked for', () => {
    const { problem, text } = decodeBytes(encodeGb18030(CHINESE), 'utf8', 'x.csv');
    expect(text).toBeUndefined();
    expect(problem?.message).toMatch(/^byte 0 \(0xcf\) is not valid UTF-8/);
  });

  it.each([
    ['a byte that never starts a character (0xff)', [0x41, 0x0a, 0x42, 0xff, 0x43], 3, 2],
    ['a lead byte followed by a space', [0x41, 0x2c, 0xc4, 0x20, 0x0a], 2, 1],
    ['a lead byte followed by a line feed', [0x41, 0x0a, 0x81, 0x0a, 0x42], 2, 2],
    ['a four-byte sequence with a bad third byte', [0x41, 0x0a, 0x0a, 0x81, 0x30, 0x20, 0x30], 3, 3],
    ['a four-byte sequence beyond the mapped range', [0x41, 0x2c, 0x84, 0x31, 0xa5, 0x30], 2, 1],
    ['a file cut inside a two-byte character', [0xc4, 0xe3, 0x0a, 0x41, 0xc4], 4, 2],
    ['a file cut inside a four-byte character', [0x41, 0x81, 0x30, 0x81], 1, 1],
  ])('names the first bad byte of invalid GB18030: %s', (_label, bytes, offset, line) => {
    const buffer = Buffer.from(bytes);
    // The decoder itself refuses these bytes (fatal), so nothing is invented.
    expect(() => new TextDecoder('gb18030', { fatal: true }).decode(buffer)).toThrow();
    const { problem } = decodeBytes(buffer, 'gb18030', 'x.csv');
    expect(problem?.line).toBe(line);
    const where = offset >= buffer.length ? `the end of the file (byte ${offset})` : `byte ${offset} (0x${buffer[offset]!.toString(16).padStart(2, '0')})`;
    expect(problem?.message).toBe(`${where} is not valid GB18030: if the file is UTF-8, try --encoding utf8; otherwise save it from Excel as "CSV UTF-8 (comma delimited)" and try again`);
  });

  it('reports both offsets when auto finds the bytes valid in neither encoding', () => {
    const bytes = Buffer.concat([encodeGb18030('县名\n甲县\n'), Buffer.from([0xff, 0x0a])]);
    const { problem } = decodeBytes(bytes, 'auto', 'x.csv');
    expect(problem).toEqual({
      file: 'x.csv',
      line: 3,
      message: 'the file is neither UTF-8 (byte 0 (0xcf) is not valid) nor GB18030 (byte 10 (0xff) is not valid): save it from Excel as "CSV UTF-8 (comma delimited)" and try again',
    });
  });

  it('says so when the file is UTF-16', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n', 'utf16le')]);
    expect(decodeBytes(bytes, 'auto', 'x.csv').problem?.message).toMatch(/^the file is UTF-16 \(Excel's "Unicode Text"\)/);
  });

  it('property: GB18030 text round-trips through auto detection (300 cases)', () => {
    const alphabet = [...'县乡村贫困人口是否好较好一般较差未完成乌蒙山区滇桂黔石漠化区燕山-太行山区新疆南疆三地州𠀀€·，。0123456789abc,"\n '];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 200 }), (chars) => {
        const text = chars.join('');
        const bytes = encodeGb18030(text);
        expect(decodeBytes(bytes, 'gb18030', 'x.csv').text).toBe(text);
        // auto takes UTF-8 whenever the bytes are valid UTF-8, as documented; a
        // short GB18030 text can be (山 is C9 BD, which is also UTF-8 for ɽ).
        const auto = decodeBytes(bytes, 'auto', 'x.csv');
        if (isUtf8(bytes)) expect(auto).toEqual({ text: bytes.toString('utf8'), encoding: 'utf8' });
        else expect(auto).toEqual({ text, encoding: 'gb18030' });
      }),
      { numRuns: 300 },
    );
  });

  it('property: a stray 0xff inserted between characters is found at its exact offset (300 cases)', () => {
    const alphabet = [...'县乡村贫困是否好一般未完成区𠀀€0123,\n"a'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 80 }), fc.nat(), (chars, at) => {
        const pieces = chars.map((char) => encodeGb18030(char));
        const position = at % (pieces.length + 1);
        const before = Buffer.concat(pieces.slice(0, position));
        const bytes = Buffer.concat([before, Buffer.from([0xff]), ...pieces.slice(position)]);
        const { problem } = decodeBytes(bytes, 'gb18030', 'x.csv');
        expect(problem?.message.startsWith(`byte ${before.length} (0xff) is not valid GB18030`)).toBe(true);
        expect(problem?.line).toBe(before.toString('latin1').split('\n').length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the sample in GB18030 with Chinese headers and values (end to end)', () => {
  const OUTPUTS = ['allocations.csv', 'provinces.csv', 'checks.csv'];

  it('gives byte-identical allocations.csv, provinces.csv and checks.csv to the UTF-8 original, with auto, gb18030 and gbk', () => {
    const dir = tempDir();
    const chinese = chineseSampleText();
    const counties = join(dir, '县表.csv');
    const budget = join(dir, '预算.csv');
    writeFileSync(counties, encodeGb18030(chinese.counties));
    writeFileSync(budget, encodeGb18030(chinese.budget));
    // The copy really is GB18030 (not valid UTF-8) and really has Chinese headers.
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(counties))).toThrow();
    expect(chinese.counties.split('\r\n')[0]).toMatch(/^县代码,县名,省代码,地市,贫困县,重点县,连片特困地区,贫困人口,农村人口/);
    expect(chinese.counties).toContain(',较好,');
    expect(chinese.budget).toContain('中央');

    const original = runCli(['allocate', '--counties', SAMPLE.counties, '--budget', SAMPLE.budget, '--out', join(dir, 'utf8')]);
    expect(original.code, original.stderr).toBe(0);
    for (const encoding of ['auto', 'gb18030', 'gbk']) {
      const out = join(dir, `gb-${encoding}`);
      const result = runCli(['allocate', '--counties', counties, '--budget', budget, '--encoding', encoding, '--out', out]);
      expect(result.code, result.stderr).toBe(0);
      for (const name of OUTPUTS) {
        const expected = readFileSync(join(dir, 'utf8', name));
        const actual = readFileSync(join(out, name));
        expect(actual.equals(expected), `${encoding}: ${name} differs`).toBe(true);
      }
    }
    // Chinese values made it through: the amounts are not all zero and the areas are named.
    const allocations = readFileSync(join(dir, 'gb-auto', 'allocations.csv'), 'utf8');
    expect(allocations).toContain('乌蒙山区');
  });

  it('refuses the GB18030 copy with --encoding utf8, naming the byte', () => {
    const dir = tempDir();
    const counties = join(dir, 'counties-gb.csv');
    writeFileSync(counties, encodeGb18030(chineseSampleText().counties));
    const result = runCli(['validate', '--counties', counties, '--budget', SAMPLE.budget, '--encoding', 'utf8']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('counties-gb.csv:1: byte 0 (0xcf) is not valid UTF-8: if the file was saved by Excel in Chinese, try --encoding gb18030');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
