/**
 * `JSON.stringify(document, null, 2)` of a document with a long list in it
 * (a comparison's row per county and scenario), made in pieces: the list is
 * written a few thousand elements at a time, as its elements come. A million
 * villages' rows would otherwise be one string of about 900 million
 * characters, which V8 cannot make (its strings end at about 512 million).
 */

/** Elements joined into one piece. */
const ELEMENTS_PER_PIECE = 2_048;

/** JSON.stringify(value, null, 2) as it reads nested DEPTH levels deep: each line after the first indented by 2 x DEPTH spaces. */
function nested(value: unknown, depth: number): string | undefined {
  const text = JSON.stringify(value, null, 2);
  return text === undefined || depth === 0 ? text : text.replaceAll('\n', `\n${'  '.repeat(depth)}`);
}

/**
 * The elements as they read in a list two levels deep (JSON.stringify(value,
 * null, 2) of each, indented by four spaces, joined by `,\n`): the inside of
 * the list in one JSON.stringify of a document holding it, which indents as it
 * writes. Stringifying each element and indenting its lines again took about
 * twice as long for a million villages' rows.
 */
function listedTwoDeep(elements: readonly unknown[]): string {
  const text = JSON.stringify({ k: elements }, null, 2);
  return text.slice(LIST_OPENING.length, text.length - LIST_CLOSING.length);
}
const LIST_OPENING = '{\n  "k": [\n';
const LIST_CLOSING = '\n  ]\n}';

/**
 * The text of `JSON.stringify({ ...document, [name]: [...elements] }, null, 2)`
 * in pieces, the member NAME last (where the document has it, or at its end),
 * its elements stringified one by one. An element JSON cannot write (undefined,
 * a function) is written as null, as JSON.stringify writes it in an array.
 */
export function* prettyJsonPieces(document: Readonly<Record<string, unknown>>, name: string, elements: Iterable<unknown>): Generator<string> {
  const members: string[] = [];
  let listAt = -1;
  for (const [key, value] of Object.entries({ ...document, [name]: [] })) {
    if (key === name) {
      listAt = members.length;
      members.push(`  ${JSON.stringify(key)}: `);
      continue;
    }
    const text = nested(value, 1);
    if (text !== undefined) members.push(`  ${JSON.stringify(key)}: ${text}`);
  }
  yield `{\n${members.slice(0, listAt + 1).join(',\n')}`;
  let batch: unknown[] = [];
  let any = false;
  for (const element of elements) {
    batch.push(element);
    if (batch.length === ELEMENTS_PER_PIECE) {
      yield `${any ? ',\n' : '[\n'}${listedTwoDeep(batch)}`;
      any = true;
      batch = [];
    }
  }
  if (batch.length > 0) {
    yield `${any ? ',\n' : '[\n'}${listedTwoDeep(batch)}`;
    any = true;
  }
  const rest = members.slice(listAt + 1);
  yield `${any ? '\n  ]' : '[]'}${rest.length > 0 ? `,\n${rest.join(',\n')}` : ''}\n}`;
}
