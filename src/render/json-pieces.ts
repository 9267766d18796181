/**
 * `JSON.stringify(document, null, 2)` of a document with a long list in it
 * (a comparison's row per county and scenario), made in pieces: the list is
 * written a few thousand elements at a time, as its elements come. A million
 * villages' rows would otherwise be one string of about 900 million
 * characters, which V8 cannot make (its strings end at about 512 million).
 */
import { escapedInJson, isArrayIndex } from '../core/canonical-json.js';

/** Elements joined into one piece. */
const ELEMENTS_PER_PIECE = 2_048;
/**
 * Rows of strings joined into one piece (prettyJsonRowPieces): about 50,000
 * characters, which stay under V8's size for large objects (128 kB) even as
 * two bytes a character (a county's name in Chinese). A larger piece is
 * allocated on pages of its own, touched for the first time: with 2,048
 * rows a million villages' compare.json took 7.4 s to make and encode
 * instead of 4.1 s (256 rows: 5.0 s).
 */
const ROWS_PER_PIECE = 64;

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
export function prettyJsonPieces(document: Readonly<Record<string, unknown>>, name: string, elements: Iterable<unknown>): Generator<string> {
  return piecesAround(document, name, elements, ELEMENTS_PER_PIECE, (batch, lead) => `${lead}${listedTwoDeep(batch)}`);
}

/**
 * prettyJsonPieces of rows of strings under the same names: the text of
 * `JSON.stringify({ ...document, [name]: rows as objects }, null, 2)`, each
 * row the object `Object.fromEntries(columns.map((column, at) => [column,
 * cells[at]]))`. Written from the cells, without an object per row: a
 * million villages' rows in compare.json took about half as long.
 */
export function prettyJsonRowPieces(
  document: Readonly<Record<string, unknown>>,
  name: string,
  columns: readonly string[],
  rows: Iterable<readonly string[]>,
): Generator<string> {
  const rowText = rowWriter(columns);
  if (rowText === undefined) return prettyJsonPieces(document, name, objectsOf(columns, rows));
  return piecesAround(document, name, rows, ROWS_PER_PIECE, (batch, lead) => {
    const texts = new Array<string>(batch.length);
    for (let index = 0; index < batch.length; index++) texts[index] = rowText(batch[index]!);
    // The lead inside the join: the piece is then one flat string, which is encoded without being copied first.
    texts[0] = lead + texts[0]!;
    return texts.join(',\n');
  });
}

function* objectsOf(columns: readonly string[], rows: Iterable<readonly string[]>): Generator<Record<string, string>> {
  for (const cells of rows) yield Object.fromEntries(columns.map((column, at) => [column, cells[at]!]));
}


/**
 * A row's text as JSON.stringify writes the row's object two levels deep,
 * made by one join of the fixed text between its cells and the cells; or
 * undefined when the columns would not make an object of that many names in
 * that order (a name twice, an array index, none at all).
 */
function rowWriter(columns: readonly string[]): ((cells: readonly string[]) => string) | undefined {
  if (columns.length === 0 || new Set(columns).size !== columns.length) return undefined;
  if (columns.some(isArrayIndex)) return undefined;
  // [opening and first name, cell, between and next name, cell, ..., closing]: cells at the odd places.
  const parts = new Array<string>(2 * columns.length + 1);
  columns.forEach((column, at) => {
    parts[2 * at] = `${at === 0 ? '    {\n' : '",\n'}      ${JSON.stringify(column)}: "`;
  });
  parts[2 * columns.length] = '"\n    }';
  return (cells) => {
    for (let at = 0; at < columns.length; at++) {
      const cell = cells[at]!;
      parts[2 * at + 1] = escapedInJson(cell) ? JSON.stringify(cell).slice(1, -1) : cell;
    }
    return parts.join('');
  };
}

/**
 * The document's text around its list NAME, the list's elements written
 * PER_PIECE at a time by LISTED (two levels deep, joined by `,\n`, after LEAD).
 */
function* piecesAround<T>(
  document: Readonly<Record<string, unknown>>,
  name: string,
  elements: Iterable<T>,
  perPiece: number,
  listed: (batch: readonly T[], lead: string) => string,
): Generator<string> {
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
  let batch: T[] = [];
  let any = false;
  for (const element of elements) {
    batch.push(element);
    if (batch.length === perPiece) {
      yield listed(batch, any ? ',\n' : '[\n');
      any = true;
      batch = [];
    }
  }
  if (batch.length > 0) {
    yield listed(batch, any ? ',\n' : '[\n');
    any = true;
  }
  const rest = members.slice(listAt + 1);
  yield `${any ? '\n  ]' : '[]'}${rest.length > 0 ? `,\n${rest.join(',\n')}` : ''}\n}`;
}
