/**
 * The frame every HTML report shares: one self-contained page (inline CSS,
 * inline SVG, one small inline script for sortable and searchable tables, no
 * external resource of any kind), printable on A4, and the table builder.
 */
import { escapeHtml } from './svg-charts.js';
import type { Lang } from './messages.js';

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1040px; padding: 20px 28px 40px; color: #1b1b1b; background: #fff;
  font: 13px/1.5 "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 16px; margin: 26px 0 8px; padding-bottom: 3px; border-bottom: 2px solid #1f4e79; color: #1f4e79; }
h3 { font-size: 13px; margin: 14px 0 4px; }
.subtitle { color: #555; margin: 0 0 4px; }
.note { color: #666; font-size: 12px; margin: 4px 0; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { border: 1px solid #d0d7de; padding: 3px 6px; vertical-align: top; }
th { background: #eef3f8; text-align: left; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total-row td { font-weight: 600; background: #f6f8fa; }
table.identity th { width: 190px; }
code, .hash { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 11px; word-break: break-all; }
.ok { color: #1e7b34; font-weight: 600; }
.bad { color: #b00020; font-weight: 600; }
.sev-warning td:first-child { border-left: 3px solid #d4a017; }
.sev-error td:first-child { border-left: 3px solid #b00020; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 4px 0; }
.legend { display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 12px; margin: 2px 0 6px; padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: 5px; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 4px 18px; }
.grid figure { margin: 0; }
.grid figcaption { font-size: 12px; font-weight: 600; }
.tools { display: flex; gap: 12px; align-items: center; margin: 4px 0; }
.tools input { font: inherit; padding: 4px 8px; width: 320px; border: 1px solid #aab4be; border-radius: 4px; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th[aria-sort="ascending"]::after { content: " ▲"; font-size: 9px; }
table.sortable th[aria-sort="descending"]::after { content: " ▼"; font-size: 9px; }
table.data { font-size: 12px; }
table.checks td:nth-child(1), table.checks td:nth-child(2), table.checks td:nth-child(4), table.checks td:nth-child(5),
table.checks th { white-space: nowrap; }
section { break-inside: auto; }
@page { size: A4; margin: 12mm 10mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  h2 { break-after: avoid; margin-top: 14px; }
  svg.chart, figure, .legend, table.identity, table.totals { break-inside: avoid; }
  .tools, .no-print { display: none; }
  table.data { font-size: 7.5pt; }
  th, td { padding: 1px 3px; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;

/** Sorting compares decimal text exactly (no floats); searching matches each row's data-search text. */
const SCRIPT = `
(function () {
  var lang = document.documentElement.lang;
  function compareDecimal(a, b) {
    if (a === b) return 0;
    if (a === '') return -1;
    if (b === '') return 1;
    var negA = a.charAt(0) === '-', negB = b.charAt(0) === '-';
    if (negA !== negB) return negA ? -1 : 1;
    var sign = negA ? -1 : 1;
    if (negA) { a = a.slice(1); b = b.slice(1); }
    var pa = a.split('.'), pb = b.split('.');
    var ia = pa[0].replace(/^0+(?=\\d)/, ''), ib = pb[0].replace(/^0+(?=\\d)/, '');
    if (ia.length !== ib.length) return sign * (ia.length < ib.length ? -1 : 1);
    if (ia !== ib) return sign * (ia < ib ? -1 : 1);
    var fa = pa[1] || '', fb = pb[1] || '';
    while (fa.length < fb.length) fa += '0';
    while (fb.length < fa.length) fb += '0';
    return fa === fb ? 0 : sign * (fa < fb ? -1 : 1);
  }
  function cellValue(cell, numeric) {
    var v = cell.getAttribute('data-v');
    if (v !== null) return v;
    var text = cell.textContent.trim();
    return numeric ? text.replace(/,/g, '') : text;
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      th.setAttribute('tabindex', '0');
      function sort() {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var numeric = th.getAttribute('data-type') === 'num';
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var a = cellValue(r1.cells[index], numeric), b = cellValue(r2.cells[index], numeric);
          var order = numeric ? compareDecimal(a, b) : a.localeCompare(b, lang);
          if (order === 0) order = Number(r1.getAttribute('data-i')) - Number(r2.getAttribute('data-i'));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (event) { if (event.key === 'Enter') sort(); });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('input.table-search'), function (input) {
    var table = document.getElementById(input.getAttribute('data-table'));
    var counter = document.getElementById(input.getAttribute('data-counter'));
    input.addEventListener('input', function () {
      var query = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var hit = query === '' || (row.getAttribute('data-search') || '').indexOf(query) >= 0;
        row.hidden = !hit;
        if (hit) shown++;
      });
      counter.textContent = String(shown);
    });
  });
})();
`;

export function htmlPage(lang: Lang, title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="povalloc">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

export interface TableColumn {
  readonly label: string;
  readonly numeric?: boolean;
}

export interface TableCell {
  readonly text: string;
  /** Sort value (plain decimal text for numbers); the text when absent. */
  readonly sort?: string;
  /** Optional tooltip. */
  readonly title?: string;
  /** Raw HTML instead of text (already escaped by the caller). */
  readonly html?: string;
}

export interface TableRow {
  readonly cells: readonly TableCell[];
  readonly search?: string;
  readonly className?: string;
  readonly key?: string;
}

export interface TableSpec {
  readonly id?: string;
  readonly className?: string;
  readonly columns: readonly TableColumn[];
  readonly rows: readonly TableRow[];
  readonly sortable?: boolean;
  readonly footer?: readonly TableRow[];
}

/** The sort value is left out when it is the text without thousands separators (the script strips them). */
function cellHtml(tag: 'td' | 'th', cell: TableCell, numericClass: boolean): string {
  const sortShown = cell.sort !== undefined && cell.sort !== cell.text.replace(/,/g, '');
  const attributes = [
    numericClass ? ' class="num"' : '',
    sortShown ? ` data-v="${escapeHtml(cell.sort!)}"` : '',
    cell.title ? ` title="${escapeHtml(cell.title)}"` : '',
  ].join('');
  return `<${tag}${attributes}>${cell.html ?? escapeHtml(cell.text)}</${tag}>`;
}

export function tableHtml(spec: TableSpec): string {
  const classes = ['data', spec.className ?? '', spec.sortable ? 'sortable' : ''].filter((name) => name !== '').join(' ');
  const head = spec.columns
    .map((column) => `<th${column.numeric ? ' class="num" data-type="num"' : ' data-type="text"'}>${escapeHtml(column.label)}</th>`)
    .join('');
  const rowHtml = (row: TableRow, index: number): string => {
    const attributes = [
      ` data-i="${index}"`,
      row.search !== undefined ? ` data-search="${escapeHtml(row.search)}"` : '',
      row.className ? ` class="${escapeHtml(row.className)}"` : '',
      row.key !== undefined ? ` data-key="${escapeHtml(row.key)}"` : '',
    ].join('');
    return `<tr${attributes}>${row.cells.map((cell, cellIndex) => cellHtml('td', cell, !spec.id && (spec.columns[cellIndex]?.numeric ?? false))).join('')}</tr>`;
  };
  // A table with an id right-aligns its number columns with one style rule instead of a class on every cell.
  const numericSelectors = spec.id
    ? spec.columns.flatMap((column, index) => (column.numeric ? [`#${spec.id} td:nth-child(${index + 1})`] : []))
    : [];
  const style = numericSelectors.length > 0 ? `<style>${numericSelectors.join(',')}{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}</style>` : '';
  const body = spec.rows.map(rowHtml).join('\n');
  const foot = spec.footer && spec.footer.length > 0 ? `<tfoot>${spec.footer.map((row, index) => rowHtml(row, index)).join('')}</tfoot>` : '';
  return `${style}<table${spec.id ? ` id="${escapeHtml(spec.id)}"` : ''} class="${classes}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody>${foot}</table>`;
}

/** A search box bound to a table, with a live count of the rows shown. */
export function searchBox(tableId: string, placeholder: string, total: number, shownLabel: string, hint: string): string {
  return `<div class="tools"><input type="search" class="table-search" id="${tableId}-search" data-table="${tableId}" data-counter="${tableId}-count" placeholder="${escapeHtml(placeholder)}" aria-label="${escapeHtml(placeholder)}"><span><span id="${tableId}-count">${total}</span> / ${total} ${escapeHtml(shownLabel)}</span><span class="note">${escapeHtml(hint)}</span></div>`;
}

export function legendHtml(items: readonly { readonly label: string; readonly color: string }[]): string {
  return `<ul class="legend">${items.map((item) => `<li><span class="swatch" style="background:${item.color}"></span>${escapeHtml(item.label)}</li>`).join('')}</ul>`;
}
