/**
 * Unit blocks (audit-blocks.ts): a large run's consecutive per-unit entries
 * of one kind and province become one entry; expanding it gives every unit's
 * entry back exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { chainAuditRecords, serializeAuditLog, writeAuditLog, type AuditRecord } from '../src/core/audit.js';
import { expandAuditBlocks, isLargeRun, isUnitBlock, LARGE_RUN_UNITS, withUnitBlocks } from '../src/core/audit-blocks.js';
import { StepSeries, UniformSeries, UnitStep, type StepVariant } from '../src/core/state.js';

const eligibility = (subject: string, eligible: boolean): AuditRecord => ({
  type: 'rule_applied',
  rule: 'eligibility',
  clause: 'I',
  subject,
  label: eligible ? 'eligible' : 'not eligible',
  values: { eligible: String(eligible), because: eligible ? (subject === '520113' ? 'poverty_county; key_county' : 'poverty_county') : 'none of poverty_county, key_county, contiguous_area' },
});

/** The records an expanded log holds, without seq, prev and hash. */
function expanded(records: Iterable<AuditRecord>): AuditRecord[] {
  return expandAuditBlocks(chainAuditRecords([...records])).map(({ type, rule, clause, subject, label, values }) => ({ type, rule, clause, subject, label, values }));
}

describe('unit blocks', () => {
  it('gather consecutive unit entries of one province, and give them back', () => {
    const records = [
      { type: 'input_loaded', rule: 'input', clause: '', subject: 'national', label: 'counties file read', values: { role: 'counties' } } as AuditRecord,
      eligibility('520111', true),
      eligibility('520112', false),
      eligibility('520113', true),
      eligibility('450001', true),
      eligibility('450002', true),
      { type: 'check', rule: 'x', clause: 'I', subject: '45', label: 'province check', values: {} } as AuditRecord,
    ];
    const blocked = [...withUnitBlocks(records)];
    expect(blocked.map((record) => [record.subject, record.label])).toEqual([
      ['national', 'counties file read'],
      ['52', 'block of 3 units'],
      ['45', 'block of 2 units: eligible'],
      ['45', 'province check'],
    ]);
    expect(blocked[1]!.values).toEqual({
      'block.units': '3',
      'block.keys': 'eligible\tbecause',
      'block.columns': 'block.subject\tblock.unit_label\teligible\tbecause',
      'block.rows': '520111\teligible\ttrue\tpoverty_county\n520112\tnot eligible\tfalse\tnone of poverty_county, key_county, contiguous_area\n520113\teligible\ttrue\tpoverty_county; key_county',
    });
    // Values alike in every unit are written once.
    expect(blocked[2]!.values).toEqual({
      'block.units': '2',
      'block.keys': 'eligible\tbecause',
      'block.label': 'eligible',
      'block.columns': 'block.subject',
      eligible: 'true',
      because: 'poverty_county',
      'block.rows': '450001\n450002',
    });
    expect(expanded(blocked)).toEqual(records);
  });

  it('leave alone a single unit, and entries whose text holds a separator', () => {
    const odd = { ...eligibility('520112', true), values: { eligible: 'true', because: 'a\tb' } };
    const records = [eligibility('520111', true), odd, eligibility('520113', true), eligibility('520114', true)];
    const blocked = [...withUnitBlocks(records)];
    expect(blocked.map((record) => record.subject)).toEqual(['520111', '520112', '52']);
    expect(expanded(blocked)).toEqual(records);
  });

  it('take rows given as columns and cells as they take rows given as values', () => {
    const columns = ['county_code', 'county_name', 'total'];
    const rows = [
      ['520111', '甲', '10.00'],
      ['520112', '乙', '0.00'],
      ['520113', 'a\tb', '0.00'],
      ['520114', '丁', '5.00'],
      ['520115', '戊', '5.00'],
    ];
    const asValues = rows.map((row): AuditRecord => ({ type: 'output_written', rule: 'output', clause: '', subject: row[0]!, label: 'row of allocations.csv', values: Object.fromEntries(columns.map((column, index) => [column, row[index]!])) }));
    const asCells = rows.map((row, index): AuditRecord => ({ ...asValues[index]!, columns, cells: row }));
    const blocked = [...withUnitBlocks(asCells)];
    const plain = ({ type, rule, clause, subject, label, values }: AuditRecord): AuditRecord => ({ type, rule, clause, subject, label, values });
    expect(blocked.map(plain)).toEqual([...withUnitBlocks(asValues)].map(plain));
    expect(blocked.map((record) => record.subject)).toEqual(['52', '520113', '52']);
    expect(expanded(blocked)).toEqual(asValues);
  });

  it('hold at most 1,000 units each', () => {
    const records = Array.from({ length: 2_500 }, (_, index) => eligibility(`52${String(index).padStart(10, '0')}`, index % 3 !== 0));
    const blocked = [...withUnitBlocks(records)];
    expect(blocked.map((block) => block.values['block.units'])).toEqual(['1000', '1000', '500']);
    expect(expanded(blocked)).toEqual(records);
  });

  it('give back entries without values', () => {
    const bare = (subject: string): AuditRecord => ({ type: 'rule_applied', rule: 'r', clause: 'I', subject, label: 'seen', values: {} });
    const blocked = [...withUnitBlocks([bare('520111'), bare('520112')])];
    expect(blocked).toHaveLength(1);
    expect(blocked[0]!.values['block.keys']).toBe('');
    expect(expanded(blocked)).toEqual([bare('520111'), bare('520112')]);
  });

  it('read the values of each entry once (a rule may format them in a getter)', () => {
    let reads = 0;
    const lazy = (subject: string): AuditRecord => ({
      type: 'pot_allocated',
      rule: 'r',
      clause: 'IV.2',
      subject,
      label: 'share',
      get values() {
        reads++;
        return { amount: subject.slice(-2) };
      },
    });
    const blocked = [...withUnitBlocks([lazy('520111'), lazy('520112'), lazy('110000')])];
    expect(blocked).toHaveLength(2);
    expect(blocked[1]!.values).toEqual({ amount: '00' });
    expect(reads).toBe(3);
  });

  it('round-trip any log exactly (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '|', ';', '\t', '0', '.', ' ', '甲', '"', '\n'), maxLength: 6 });
    const record = fc.record({
      type: fc.constantFrom('rule_applied', 'pot_allocated', 'output_written'),
      rule: fc.constantFrom('eligibility', 'assessment'),
      clause: fc.constantFrom('I', 'IV.1'),
      subject: fc.constantFrom('520111', '520112', '450001', '110209002859', '52', 'national'),
      label: fc.constantFrom('eligible', 'not eligible', 'a\tb', 'c\nd'),
      values: fc.oneof(
        fc.record({ eligible: text, because: text }),
        fc.record({ amount: text }),
        fc.dictionary(fc.constantFrom('x', 'y', 'z', 'block.rows', 'p\tq', 'r\ns'), text, { maxKeys: 3 }),
      ),
    }) as fc.Arbitrary<AuditRecord>;
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), (records) => {
        const blocked = [...withUnitBlocks(records)];
        expect(blocked.length).toBeLessThanOrEqual(records.length);
        expect(expanded(blocked)).toEqual(records);
        // A block always stands for two or more units.
        for (const block of blocked.filter(isUnitBlock)) expect(Number(block.values['block.units'])).toBeGreaterThanOrEqual(2);
      }),
      { numRuns: 2000 },
    );
  });

  it('are written compressed, their rows hashed and written piece by piece, as the same bytes as their joined text (property)', () => {
    // Rows long enough to need several pieces, with text JSON escapes (quotes, backslashes, controls) and characters
    // outside the BMP (surrogate pairs), which must never be split between pieces.
    const text = fc.string({ unit: fc.constantFrom('a', '"', '\\', '\u0001', '甲', '😀', '0', '.'), maxLength: 8 });
    const village = fc.integer({ min: 0, max: 999 }).map((n) => `52011100${String(n).padStart(4, '0')}`);
    const record = (values: fc.Arbitrary<Record<string, string>>) =>
      fc.record({
        type: fc.constant('rule_applied'),
        rule: fc.constant('eligibility'),
        clause: fc.constant('I'),
        subject: village,
        label: fc.constantFrom('eligible', 'not eligible'),
        values,
      }) as fc.Arbitrary<AuditRecord>;
    // One shape of values a case, so that runs are long: a block of more than 64 units has its rows in several pieces.
    // Text with nothing JSON escapes, in blocks of their own.
    const plainText = fc.string({ unit: fc.constantFrom('a', '甲', '0', '.'), maxLength: 8 });
    const records = fc.oneof(
      fc.array(record(fc.record({ eligible: text, because: text })), { minLength: 60, maxLength: 300 }),
      fc.array(record(fc.record({ eligible: plainText, because: plainText })), { minLength: 60, maxLength: 300 }),
      fc.array(record(fc.record({ zz: text, aa: text, 'block.x': text })), { minLength: 60, maxLength: 300 }),
    );
    let severalPieces = 0;
    // Blocks whose text needs no escaping have their rows joined as JSON writes them; the others are escaped as written.
    const blocksBy = { escaped: 0, quoted: 0 };
    fc.assert(
      fc.property(records, (records) => {
        const blocked = [...withUnitBlocks(records)];
        if (blocked.some((block) => (block.pieced?.pieces.length ?? 0) > 1)) severalPieces++;
        for (const block of blocked) if (block.pieced) blocksBy[block.pieced.escaped === true ? 'escaped' : 'quoted']++;
        const joined = serializeAuditLog(chainAuditRecords(blocked.map(({ type, rule, clause, subject, label, values }) => ({ type, rule, clause, subject, label, values }))));
        const written = writeAuditLog(blocked, true);
        expect(gunzipSync(written.content).toString('utf8')).toBe(joined);
        expect(writeAuditLog(blocked, false).content.toString('utf8')).toBe(joined);
        // Read once, as the run writes its log: each block's pieces are let go once written, the same bytes.
        expect(gunzipSync(writeAuditLog(withUnitBlocks(records, { readOnce: true }), true).content).toString('utf8')).toBe(joined);
      }),
      { numRuns: 200 },
    );
    expect(severalPieces).toBeGreaterThan(20);
    expect(blocksBy.escaped).toBeGreaterThan(20);
    expect(blocksBy.quoted).toBeGreaterThan(20);
  });

  it('join rows of plain text as JSON writes them, and read them back with their tabs and line feeds', () => {
    const steps = ['520111', '520112', '520113'].map(
      (code, index) => new UnitStep('pot_allocated', 'special_poverty_counties', 'IV.2', code, 'share', ['amount', 'binding'], [`${index}.00`, 'share'], true),
    );
    const [block] = [...withUnitBlocks(steps)];
    expect(block!.pieced?.escaped).toBe(true);
    expect(block!.pieced?.pieces.join('')).toBe('520111\\t0.00\\n520112\\t1.00\\n520113\\t2.00');
    expect(block!.values['block.rows']).toBe('520111\t0.00\n520112\t1.00\n520113\t2.00');
    // The same rows from a record with a quote in one field are escaped when written.
    const quotedSteps = steps.map((step, index) => new UnitStep(step.type, step.rule, step.clause, step.subject, step.label, step.columns, index === 1 ? ['1.00', 'a "b"'] : step.cells));
    const [quotedBlock] = [...withUnitBlocks(quotedSteps)];
    expect(quotedBlock!.pieced?.escaped).toBe(false);
    expect(quotedBlock!.values['block.rows']).toBe('520111\t0.00\tshare\n520112\t1.00\ta "b"\n520113\t2.00\tshare');
    const line = writeAuditLog([quotedBlock!], false).content.toString('utf8');
    expect(line).toContain('"block.rows":"520111\\t0.00\\tshare\\n520112\\t1.00\\ta \\"b\\"\\n520113');
    expect(JSON.parse(line).values['block.rows']).toBe(quotedBlock!.values['block.rows']);
  });

  it('read once, let a block\'s pieces go when the next record is asked for, and only then', () => {
    const steps = Array.from({ length: 200 }, (_, index) => new UnitStep('rule_applied', 'eligibility', 'I', `5201${String(index).padStart(8, '0')}`, 'eligible', ['eligible'], ['true'], true));
    const province = new UnitStep('rule_applied', 'priority_province', 'IV.1', '52', 'priority', ['priority'], ['true'], true);
    const records = withUnitBlocks([...steps, province, ...steps], { readOnce: true });
    const first = records.next().value!;
    expect(first.pieced!.pieces.join('').split('\\n')).toHaveLength(200);
    expect(records.next().value!.subject).toBe('52');
    expect(first.pieced!.pieces).toEqual([]);
    const last = records.next().value!;
    expect(last.pieced!.pieces.length).toBeGreaterThan(1);
    expect(records.next().done).toBe(true);
    expect(last.pieced!.pieces).toEqual([]);
    // Not read once (the default): the blocks keep their rows.
    const kept = [...withUnitBlocks(steps)];
    expect(kept[0]!.values['block.rows']!.split('\n')).toHaveLength(200);
  });

  it(`apply above ${LARGE_RUN_UNITS} units`, () => {
    expect(isLargeRun(LARGE_RUN_UNITS)).toBe(false);
    expect(isLargeRun(LARGE_RUN_UNITS + 1)).toBe(true);
  });
});

describe('unit steps with shared, frozen cells', () => {
  it('are blocked when their cells can be, and each passes alone when a shared cell holds a separator, every time it recurs', () => {
    const columns = Object.freeze(['eligible', 'because']);
    const plain = Object.freeze(['true', 'poverty_county']);
    const tabbed = Object.freeze(['true', 'poverty\tcounty']);
    const steps = ['520111', '520112', '520113', '520114'].map((code, index) => new UnitStep('rule_applied', 'eligibility', 'I', code, 'eligible', columns, index < 2 ? plain : tabbed));
    const blocked = [...withUnitBlocks(steps)];
    expect(blocked.map((record) => record.label)).toEqual(['block of 2 units: eligible', 'eligible', 'eligible']);
    expect(blocked.slice(1).map((record) => record.values['because'])).toEqual(['poverty\tcounty', 'poverty\tcounty']);
    expect(expanded(blocked.slice(0, 1)).map((record) => record.values)).toEqual([
      { eligible: 'true', because: 'poverty_county' },
      { eligible: 'true', because: 'poverty_county' },
    ]);
  });
});

describe('series of steps among the records', () => {
  it('give the same entries as their steps one by one, wherever the series begin and end', () => {
    const step = (code: string, kind: number, label: string): UnitStep =>
      new UnitStep('pot_allocated', kind === 0 ? 'special_poverty_counties' : 'relocation', 'IV.2', code, label, ['amount', 'binding'], [`${kind}.00`, kind === 2 ? 'a\tb' : 'share'], kind !== 2);
    const item = fc.oneof(
      // A unit step: code in one of two provinces, three kinds (the last with a tab: never blocked), a label or a tabbed one.
      fc.tuple(fc.constantFrom('5201', '4501'), fc.integer({ min: 10, max: 99 }), fc.integer({ min: 0, max: 2 }), fc.constantFrom('share', 'x\ty')).map(([prefix, n, kind, label]) => ({ unit: step(`${prefix}${n}`, kind, label) })),
      fc.constant({ other: { type: 'check', rule: 'x', clause: 'I', subject: '45', label: 'province check', values: { a: '1' } } as AuditRecord }),
    );
    // Runs of items, each run either as its records or as one series standing for them.
    const runs = fc.array(fc.tuple(fc.array(item, { maxLength: 12 }), fc.boolean()), { maxLength: 8 });
    const plain = (record: AuditRecord): unknown => [record.type, record.rule, record.clause, record.subject, record.label, record.values];
    fc.assert(
      fc.property(runs, (groups) => {
        const flat: AuditRecord[] = [];
        const mixed: (AuditRecord | StepSeries)[] = [];
        for (const [items, asSeries] of groups) {
          const records = items.map((entry) => ('unit' in entry ? entry.unit : entry.other));
          flat.push(...records);
          if (asSeries) mixed.push(new StepSeries(records.length, (index) => records[index]!));
          else mixed.push(...records);
        }
        expect([...withUnitBlocks(mixed)].map(plain)).toEqual([...withUnitBlocks(flat)].map(plain));
      }),
      { numRuns: 300 },
    );
  });
  it("make a uniform series' blocks from its subjects and variants as they make them from its steps one by one (property)", () => {
    // Variants: labels and cells with text JSON escapes, tabs and line feeds (which keep a step out of a block).
    const text = fc.string({ unit: fc.constantFrom('a', '0', '.', '"', '甲', '\t', '\n'), maxLength: 4 });
    const variant = fc.record({ label: fc.constantFrom('eligible', 'not eligible', 'a"b', 'a\tb'), cells: fc.tuple(text, text) }) as fc.Arbitrary<StepVariant>;
    // Runs of one province long enough to be split at 1,000 units, and subjects that are no unit code.
    const run = fc.record({ province: fc.constantFrom('52', '51', '42', '5'), length: fc.integer({ min: 1, max: 1_300 }) });
    const unit = (subject: string): AuditRecord => ({ type: 'rule_applied', rule: 'eligibility', clause: 'I', subject, label: 'eligible', values: { eligible: 'true', because: 'x' } });
    // What comes before and after: nothing, a unit the series' first or last units may join, a national entry.
    const neighbour = fc.constantFrom<AuditRecord[]>([], [unit('520100000001')], [unit('450100000001'), unit('450100000002')], [{ ...unit('national'), type: 'check' }]);
    const columns = Object.freeze(['eligible', 'because']);
    fc.assert(
      fc.property(
        fc.array(variant, { minLength: 1, maxLength: 4 }),
        fc.array(run, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 50 }),
        neighbour,
        neighbour,
        (variants, runs, picks, before, after) => {
          const subjects = runs.flatMap(({ province, length }) => Array.from({ length }, (_, index) => `${province}0100${String(index).padStart(6, '0')}`));
          const variantAt = (index: number): number => picks[index % picks.length]! % variants.length;
          const uniform = new UniformSeries(subjects.length, 'rule_applied', 'eligibility', 'I', columns, variants, (index) => subjects[index]!, variantAt);
          const oneByOne = new StepSeries(subjects.length, (index) => uniform.at(index));
          const made = [...withUnitBlocks([...before, uniform, ...after], { readOnce: true })];
          const expected = [...withUnitBlocks([...before, oneByOne, ...after], { readOnce: true })];
          expect(made.map(({ type, rule, clause, subject, label }) => [type, rule, clause, subject, label])).toEqual(
            expected.map(({ type, rule, clause, subject, label }) => [type, rule, clause, subject, label]),
          );
          // The same bytes in the log, whichever way each block's rows were made and escaped.
          const log = (records: Iterable<AuditRecord | StepSeries>): string => writeAuditLog(withUnitBlocks(records), false).content.toString('utf8');
          expect(log([...before, uniform, ...after])).toBe(log([...before, oneByOne, ...after]));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('make no step of a uniform series but those of its last, open run', () => {
    let made = 0;
    const variants: StepVariant[] = [
      { label: 'eligible', cells: ['true', 'poverty_county'] },
      { label: 'not eligible', cells: ['false', 'none'] },
    ];
    const subjects = Array.from({ length: 2_500 }, (_, index) => `5201${String(index).padStart(8, '0')}`);
    const series = new UniformSeries(2_500, 'rule_applied', 'eligibility', 'I', ['eligible', 'because'], variants, (index) => subjects[index]!, (index) => index % 3 === 0 ? 1 : 0);
    const counted = Object.assign(Object.create(Object.getPrototypeOf(series) as object) as UniformSeries, series, {
      at: (index: number) => {
        made++;
        return series.at(index);
      },
    });
    const blocks = [...withUnitBlocks([counted])];
    expect(blocks.map((block) => block.label)).toEqual(['block of 1000 units', 'block of 1000 units', 'block of 500 units']);
    // The 500 units of the last run wait as steps for what comes next; the 2,000 before went into blocks without one.
    expect(made).toBe(500);
    expect(blocks[0]!.values['block.rows']!.split('\n')[0]).toBe('520100000000\tnot eligible\tfalse\tnone');
  });
});
