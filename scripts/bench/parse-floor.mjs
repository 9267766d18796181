#!/usr/bin/env node
// The parse floor for `npm run bench`: reads FILE and tokenises it with
// csv-parse's streaming API, with the options povalloc's own table reader
// passes (src/core/table.ts), and does no other work. Prints the record count.
//
//   node scripts/bench/parse-floor.mjs FILE
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node scripts/bench/parse-floor.mjs FILE\n');
  process.exit(2);
}
let records = 0;
const parser = createReadStream(file).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }));
for await (const _record of parser) records++;
process.stdout.write(`${records}\n`);
