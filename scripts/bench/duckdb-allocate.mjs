#!/usr/bin/env node
// The DuckDB comparison for `npm run bench`: the special fund's factor
// allocation (stage 1: central line to provinces; stage 2: each province's
// pool to its eligible units), computed in SQL by DuckDB, reading the CSV files
// and writing one CSV: county_code, province_code, special_poverty (yuan).
//
//   node scripts/bench/duckdb-allocate.mjs exact|double COUNTIES BUDGET POLICY OUT
//
// The rules are povalloc's default policy as the bench policy sets them (floor
// 0, cap share 1, so neither binds): factor weights, priority multiplier and
// thresholds, focus multipliers and their cap are read from POLICY; the factor
// definitions must be the default ones (checked). Rounding: largest remainder
// to the fen, ties to the ascending code, per pot. It does less than
// `povalloc allocate`: no split of each amount into central and provincial
// parts, no checks, no audit log, no summary.
//
// exact: no binary floating point anywhere. DuckDB's `/` on DECIMAL returns a
// DOUBLE, so every division is an integer division (`//`) on 128-bit HUGEINT
// fixed-point values:
//   - factor values as integers scaled by 10^18 (incidence = poor*10^18 // rural,
//     depth = poor*100*10^18 // income_fen, ...), province depth/fiscal from the
//     exact rational form of the rural-weighted mean;
//   - factor shares scaled by 10^24, by long division in two 12-digit steps so
//     that nothing overflows 128 bits: floor(value * 10^24 / total), exactly;
//   - score = sum(weight_f * share_f) x focus multipliers, scaled by 10^24;
//   - amount = pool * score // sum(score), remainder = pool * score % sum(score),
//     all in integer fen.
// The only approximation is truncating factor values and shares at 18 and 24
// decimals (povalloc rounds at 50 significant digits), so an amount can differ
// by a fen only when its exact value lies within about 10^-10 fen of a rounding
// boundary. DuckDB raises an error on HUGEINT overflow rather than wrapping.
//
// double: the same steps in DOUBLE; amounts floor()ed to fen and the leftover
// fen given by largest remainder, so each pot still adds up.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, countiesFile, budgetFile, policyFile, outFile] = process.argv.slice(2);
if (!['exact', 'double'].includes(mode) || !outFile) {
  process.stderr.write('usage: node scripts/bench/duckdb-allocate.mjs exact|double COUNTIES BUDGET POLICY OUT\n');
  process.exit(2);
}

const sqlString = (text) => `'${String(text).replace(/'/g, "''")}'`;

// ---------------------------------------------------------------------------
// The rules, from the policy file.

const policy = JSON.parse(readFileSync(policyFile, 'utf8'));
const special = policy.special_poverty;
const EXPECTED_FACTORS = {
  poverty_scale: ['poor_population', undefined],
  incidence: ['poor_population', 'rural_population'],
  depth: ['poor_population', 'rural_income_per_capita'],
  fiscal_capacity: ['poor_population', 'fiscal_revenue_per_capita'],
};
for (const [id, [numerator, denominator]] of Object.entries(EXPECTED_FACTORS)) {
  const factor = special.factors[id];
  if (!factor || factor.numerator !== numerator || factor.denominator !== denominator) {
    throw new Error(`duckdb-allocate supports only the default factor definitions; factor ${id} differs`);
  }
}
if (Object.keys(special.factors).length !== 4) throw new Error('duckdb-allocate supports exactly the four default factors');
if (JSON.stringify(policy.eligibility.any_of) !== JSON.stringify(['poverty_county', 'key_county', 'contiguous_area'])) {
  throw new Error('duckdb-allocate supports only the default eligibility flags');
}
if (special.renormalise_weights?.value) throw new Error('duckdb-allocate does not renormalise weights');
if (special.county.floor.value.replace(/[.0]/g, '') !== '') throw new Error('duckdb-allocate needs the floor set to 0 (the bench policy)');
if (special.county.cap_share.value.replace(/^1(\.0*)?$/, '') !== '') throw new Error('duckdb-allocate needs cap_share 1 (the bench policy)');
if (special.province.aggregation.rural_income_per_capita?.weight !== 'rural_population' || special.province.aggregation.fiscal_revenue_per_capita?.weight !== 'rural_population') {
  throw new Error('duckdb-allocate needs rural-population-weighted means for the per-capita figures');
}

/** A decimal text with at most two places as a whole number of hundredths. */
function hundredths(text, what) {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new Error(`${what}: ${JSON.stringify(text)} needs at most two decimals here`);
  return BigInt(match[1]) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
}
/** A decimal text as numerator / denominator. */
function fraction(text) {
  const [whole, places = ''] = text.split('.');
  return { numerator: BigInt(whole + places), denominator: 10n ** BigInt(places.length) };
}

const FACTORS = ['poverty_scale', 'incidence', 'depth', 'fiscal_capacity'];
const FOCUS = ['contiguous_area', 'key_county', 'old_revolutionary_base', 'ethnic_minority_area', 'border_area'];
const provinceWeight = Object.fromEntries(FACTORS.map((id) => [id, hundredths(special.province.weights[id].value, `province weight ${id}`)]));
const countyWeight = Object.fromEntries(FACTORS.map((id) => [id, hundredths(special.county.weights[id].value, `county weight ${id}`)]));
const priorityMultiplier = hundredths(special.province.priority_multiplier.value, 'priority multiplier');
const focusMultiplier = Object.fromEntries(FOCUS.map((flag) => [flag, hundredths(special.county.focus_multipliers[flag].value, `focus multiplier ${flag}`)]));
const multiplierCap = hundredths(special.county.multiplier_cap.value, 'multiplier cap');
const priorityPoor = BigInt(policy.priority_province.poor_population_exceeds.value);
const priorityIncidence = fraction(policy.priority_province.incidence_exceeds.value);

// ---------------------------------------------------------------------------
// SQL shared by both modes.

const YES = `('1', 'true', 'yes', 'y', '是')`;
const yes = (column) => `coalesce(lower(trim(${column})) IN ${YES}, false)`;
const numericType = mode === 'exact' ? 'DECIMAL(18,2)' : 'DOUBLE';

const readUnits = `
CREATE TEMP TABLE units AS
SELECT
  county_code AS code,
  substr(county_code, 1, 2) AS province_code,
  poor_population AS poor,
  rural_population AS rural,
  rural_income_per_capita AS income,
  fiscal_revenue_per_capita AS fiscal,
  (${yes('poverty_county')} OR ${yes('key_county')} OR coalesce(trim(contiguous_area), '') <> '') AS eligible,
  coalesce(trim(contiguous_area), '') <> '' AS f_contiguous_area,
  ${yes('key_county')} AS f_key_county,
  ${yes('old_revolutionary_base')} AS f_old_revolutionary_base,
  ${yes('ethnic_minority_area')} AS f_ethnic_minority_area,
  ${yes('border_area')} AS f_border_area
FROM read_csv(${sqlString(countiesFile)}, header = true, delim = ',', quote = '"', auto_detect = false, columns = {
  'county_code': 'VARCHAR', 'county_name': 'VARCHAR', 'poverty_county': 'VARCHAR', 'key_county': 'VARCHAR',
  'contiguous_area': 'VARCHAR', 'poor_population': 'BIGINT', 'rural_population': 'BIGINT',
  'rural_income_per_capita': '${numericType}', 'fiscal_revenue_per_capita': '${numericType}',
  'old_revolutionary_base': 'VARCHAR', 'ethnic_minority_area': 'VARCHAR', 'border_area': 'VARCHAR'
})`;

const readBudget = `
CREATE TEMP TABLE budget AS
SELECT fund, level, coalesce(province_code, '') AS province_code, CAST(amount * 100 AS BIGINT) AS fen
FROM read_csv(${sqlString(budgetFile)}, header = true, delim = ',', auto_detect = false, columns = {
  'fund': 'VARCHAR', 'level': 'VARCHAR', 'province_code': 'VARCHAR', 'amount': 'DECIMAL(18,2)'
})
WHERE fund = 'special_poverty'`;

// Largest remainder, per pot: `amount` floored parts and `remainder` columns in
// table `parts` with pot key `pot`, pot size `pot_fen`; leftover fen go to the
// largest remainders, ties to the ascending code.
const largestRemainder = (parts, pot, potFen, out) => `
CREATE TEMP TABLE ${out} AS
WITH ranked AS (
  SELECT *,
    ${potFen} - sum(amount) OVER (PARTITION BY ${pot}) AS leftover,
    row_number() OVER (PARTITION BY ${pot} ORDER BY remainder DESC, code ASC) AS place
  FROM ${parts}
)
SELECT * EXCLUDE (amount, leftover, place), amount + CASE WHEN place <= leftover AND remainder > 0 THEN 1 ELSE 0 END AS fen
FROM ranked`;

// ---------------------------------------------------------------------------
// exact: HUGEINT fixed point.

const H = (value) => `CAST('${value.toString()}' AS HUGEINT)`;
const E12 = H(10n ** 12n);
const E18 = H(10n ** 18n);
const E20 = H(10n ** 20n);
/** floor(numerator * 10^24 / denominator) for numerator, denominator >= 0, without overflow while denominator < 10^26. */
const share24 = (numerator, denominator) => `CASE WHEN ${denominator} = 0 THEN ${H(0n)} ELSE
  (${numerator} // ${denominator}) * ${H(10n ** 24n)}
  + (((${numerator} % ${denominator}) * ${E12}) // ${denominator}) * ${E12}
  + ((((${numerator} % ${denominator}) * ${E12}) % ${denominator}) * ${E12}) // ${denominator} END`;

/** Ratio factors of stage 2: id, numerator and denominator as 64-bit integers (money in fen). */
const RATIO_FACTORS = [
  ['incidence', 'poor', 'rural'],
  ['depth', 'poor * 100', 'CAST(income * 100 AS BIGINT)'],
  ['fiscal_capacity', 'poor * 100', 'CAST(fiscal * 100 AS BIGINT)'],
];

function exactStatements() {
  const focusProduct = FOCUS.map((flag) => `CASE WHEN f_${flag} THEN ${H(focusMultiplier[flag])} ELSE ${H(100n)} END`).join(' * ');
  const focusCap = H(multiplierCap * 10n ** 8n); // the product has 10 decimals
  const weightedShares = (weights, prefix) => FACTORS.map((id) => `${H(weights[id])} * ${prefix}${id}`).join(' + ');
  return [
    // Stage 1: province aggregates over all units; recipients have an eligible unit.
    `CREATE TEMP TABLE provinces AS
     SELECT province_code,
       sum(poor)::HUGEINT AS poor, sum(rural)::HUGEINT AS rural,
       sum(CAST(income * 100 AS HUGEINT) * rural) AS income_fen_x_rural,
       sum(CAST(fiscal * 100 AS HUGEINT) * rural) AS fiscal_fen_x_rural,
       bool_or(eligible) AS recipient
     FROM units GROUP BY province_code`,
    `CREATE TEMP TABLE province_values AS
     SELECT province_code, recipient,
       (poor > ${H(priorityPoor)} OR poor * ${H(priorityIncidence.denominator)} > ${H(priorityIncidence.numerator)} * rural) AS priority,
       poor AS v_poverty_scale,
       CASE WHEN rural = 0 THEN ${H(0n)} ELSE poor * ${E18} // rural END AS v_incidence,
       CASE WHEN income_fen_x_rural = 0 THEN ${H(0n)} ELSE poor * rural * ${E20} // income_fen_x_rural END AS v_depth,
       CASE WHEN fiscal_fen_x_rural = 0 THEN ${H(0n)} ELSE poor * rural * ${E20} // fiscal_fen_x_rural END AS v_fiscal_capacity
     FROM provinces`,
    `CREATE TEMP TABLE province_scores AS
     WITH totals AS (
       SELECT ${FACTORS.map((id) => `sum(v_${id}) AS t_${id}`).join(', ')} FROM province_values WHERE recipient
     ), shares AS (
       SELECT province_code, priority, ${FACTORS.map((id) => `${share24(`v_${id}`, `t_${id}`)} AS s_${id}`).join(',\n')}
       FROM province_values, totals WHERE recipient
     )
     SELECT province_code AS code, province_code,
       (${weightedShares(provinceWeight, 's_')}) * CASE WHEN priority THEN ${H(priorityMultiplier)} ELSE ${H(100n)} END // ${H(10000n)} AS score
     FROM shares`,
    `CREATE TEMP TABLE province_parts AS
     WITH central AS (SELECT coalesce(sum(fen), 0)::HUGEINT AS line FROM budget WHERE level = 'central'),
     total AS (SELECT sum(score) AS total FROM province_scores)
     SELECT code, province_code, line AS pot_fen, 'central' AS pot,
       CASE WHEN total = 0 THEN ${H(0n)} ELSE line * score // total END AS amount,
       CASE WHEN total = 0 THEN ${H(0n)} ELSE line * score % total END AS remainder
     FROM province_scores, central, total`,
    largestRemainder('province_parts', 'pot', 'pot_fen', 'province_central'),
    `CREATE TEMP TABLE pools AS
     SELECT c.province_code, c.fen + coalesce(b.fen, 0) AS pool
     FROM province_central c LEFT JOIN budget b ON b.level = 'provincial' AND b.province_code = c.province_code`,
    // Stage 2: units' factor values and shares within their province's eligible
    // units. 128-bit division is slow in DuckDB (about 1 µs), so the per-unit
    // steps use 64-bit long division where the numbers allow and at most two
    // 128-bit divisions per share.
    //   ratio factor values, scale 10^18, by 64-bit long division in 10^9 steps
    //   (denominators below 9*10^9): V = floor(n * 10^18 / d);
    `CREATE TEMP TABLE unit_values AS
     WITH base AS (
       SELECT code, province_code, poor::BIGINT AS poor,
         ${RATIO_FACTORS.map(([id, numerator, denominator]) => `${numerator} AS n_${id}, ${denominator} AS d_${id}`).join(',\n')},
         least(${focusProduct}, ${focusCap}) AS focus
       FROM units WHERE eligible
     ), step0 AS (
       SELECT *, ${RATIO_FACTORS.map(([id]) => `n_${id} // d_${id} AS q0_${id}, n_${id} % d_${id} AS r0_${id}`).join(', ')} FROM base
     ), step1 AS (
       SELECT *, ${RATIO_FACTORS.map(([id]) => `r0_${id} * 1000000000 // d_${id} AS q1_${id}, r0_${id} * 1000000000 % d_${id} AS r1_${id}`).join(', ')} FROM step0
     )
     SELECT code, province_code, poor AS v_poverty_scale, focus,
       ${RATIO_FACTORS.map(([id]) => `q0_${id}::HUGEINT * ${E18} + q1_${id}::HUGEINT * 1000000000 + r1_${id} * 1000000000 // d_${id} AS v_${id}`).join(',\n')}
     FROM step1`,
    //   shares, scale 10^24: poverty scale (integers, province totals below 9*10^10)
    //   by 64-bit long division in three 10^8 steps; ratio factors (totals below
    //   1.7*10^26) in two 10^12 steps of 128-bit division; all exact floors.
    //   score = sum(weight_f * share_f) * focus, rescaled to 10^24.
    `CREATE TEMP TABLE unit_parts AS
     WITH totals AS (
       SELECT province_code, ${FACTORS.map((id) => `sum(v_${id}) AS t_${id}`).join(', ')} FROM unit_values GROUP BY province_code
     ), step0 AS (
       SELECT u.*, ${FACTORS.map((id) => `t.t_${id}`).join(', ')},
         t.t_poverty_scale::BIGINT AS tp,
         v_poverty_scale // tp AS a0, v_poverty_scale % tp AS b0,
         ${RATIO_FACTORS.map(([id]) => `CASE WHEN t_${id} = 0 THEN ${H(0n)} ELSE v_${id} * ${E12} // t_${id} END AS h_${id}`).join(',\n')}
       FROM unit_values u JOIN totals t USING (province_code)
     ), step1 AS (
       SELECT *, b0 * 100000000 // tp AS a1, b0 * 100000000 % tp AS b1,
         ${RATIO_FACTORS.map(([id]) => `CASE WHEN t_${id} = 0 THEN ${H(0n)} ELSE h_${id} * ${E12} + (v_${id} * ${E12} - h_${id} * t_${id}) * ${E12} // t_${id} END AS s_${id}`).join(',\n')}
       FROM step0
     ), step2 AS (
       SELECT *, b1 * 100000000 // tp AS a2, b1 * 100000000 % tp AS b2 FROM step1
     ), scores AS (
       SELECT code, province_code,
         (${H(countyWeight.poverty_scale)} * (a0::HUGEINT * ${H(10n ** 24n)} + a1::HUGEINT * ${H(10n ** 16n)} + a2::HUGEINT * 100000000 + b2 * 100000000 // tp)
          + ${RATIO_FACTORS.map(([id]) => `${H(countyWeight[id])} * s_${id}`).join(' + ')}) * focus // ${E12} AS score
       FROM step2
     ), with_totals AS (
       SELECT s.*, sum(score) OVER (PARTITION BY s.province_code) AS total, p.pool
       FROM scores s JOIN pools p USING (province_code)
     ), amounts AS (
       SELECT code, province_code, pool, score, total, CASE WHEN total = 0 THEN ${H(0n)} ELSE pool * score // total END AS amount
       FROM with_totals
     )
     SELECT code, province_code, pool AS pot_fen, province_code AS pot, amount, pool * score - amount * total AS remainder
     FROM amounts`,
    largestRemainder('unit_parts', 'pot', 'pot_fen', 'unit_amounts'),
  ];
}

// ---------------------------------------------------------------------------
// double: the same in DOUBLE.

function doubleStatements() {
  const focusProduct = FOCUS.map((flag) => `CASE WHEN f_${flag} THEN ${Number(focusMultiplier[flag]) / 100} ELSE 1.0 END`).join(' * ');
  const weighted = (weights, prefix) => FACTORS.map((id) => `${Number(weights[id]) / 100} * ${prefix}${id}`).join(' + ');
  const share = (value, total) => `CASE WHEN ${total} = 0 THEN 0.0 ELSE ${value} / ${total} END`;
  return [
    `CREATE TEMP TABLE provinces AS
     SELECT province_code, sum(poor)::DOUBLE AS poor, sum(rural)::DOUBLE AS rural,
       sum(income * rural) / sum(rural) AS income, sum(fiscal * rural) / sum(rural) AS fiscal,
       bool_or(eligible) AS recipient
     FROM units GROUP BY province_code`,
    `CREATE TEMP TABLE province_values AS
     SELECT province_code, recipient,
       (poor > ${Number(priorityPoor)} OR poor / rural > ${Number(priorityIncidence.numerator) / Number(priorityIncidence.denominator)}) AS priority,
       poor AS v_poverty_scale, poor / rural AS v_incidence, poor / income AS v_depth, poor / fiscal AS v_fiscal_capacity
     FROM provinces`,
    `CREATE TEMP TABLE province_scores AS
     WITH totals AS (SELECT ${FACTORS.map((id) => `sum(v_${id}) AS t_${id}`).join(', ')} FROM province_values WHERE recipient),
     shares AS (SELECT province_code, priority, ${FACTORS.map((id) => `${share(`v_${id}`, `t_${id}`)} AS s_${id}`).join(', ')} FROM province_values, totals WHERE recipient)
     SELECT province_code AS code, province_code,
       (${weighted(provinceWeight, 's_')}) * CASE WHEN priority THEN ${Number(priorityMultiplier) / 100} ELSE 1.0 END AS score
     FROM shares`,
    `CREATE TEMP TABLE province_parts AS
     WITH central AS (SELECT coalesce(sum(fen), 0)::BIGINT AS line FROM budget WHERE level = 'central'),
     exact AS (SELECT code, province_code, line, line * score / sum(score) OVER () AS x FROM province_scores, central)
     SELECT code, province_code, line AS pot_fen, 'central' AS pot, floor(x)::BIGINT AS amount, x - floor(x) AS remainder FROM exact`,
    largestRemainder('province_parts', 'pot', 'pot_fen', 'province_central'),
    `CREATE TEMP TABLE pools AS
     SELECT c.province_code, c.fen + coalesce(b.fen, 0) AS pool
     FROM province_central c LEFT JOIN budget b ON b.level = 'provincial' AND b.province_code = c.province_code`,
    `CREATE TEMP TABLE unit_values AS
     SELECT code, province_code, poor::DOUBLE AS v_poverty_scale, poor / rural AS v_incidence,
       poor / income AS v_depth, poor / fiscal AS v_fiscal_capacity,
       least(${focusProduct}, ${Number(multiplierCap) / 100}) AS focus
     FROM units WHERE eligible`,
    `CREATE TEMP TABLE unit_parts AS
     WITH totals AS (SELECT province_code, ${FACTORS.map((id) => `sum(v_${id}) AS t_${id}`).join(', ')} FROM unit_values GROUP BY province_code),
     scores AS (
       SELECT u.code, u.province_code,
         (${FACTORS.map((id) => `${Number(countyWeight[id]) / 100} * ${share(`u.v_${id}`, `t.t_${id}`)}`).join(' + ')}) * u.focus AS score
       FROM unit_values u JOIN totals t USING (province_code)
     ), exact AS (
       SELECT s.code, s.province_code, p.pool, CASE WHEN sum(score) OVER w = 0 THEN 0.0 ELSE p.pool * score / sum(score) OVER w END AS x
       FROM scores s JOIN pools p USING (province_code) WINDOW w AS (PARTITION BY s.province_code)
     )
     SELECT code, province_code, pool AS pot_fen, province_code AS pot, floor(x)::BIGINT AS amount, x - floor(x) AS remainder FROM exact`,
    largestRemainder('unit_parts', 'pot', 'pot_fen', 'unit_amounts'),
  ];
}

// ---------------------------------------------------------------------------

const writeOut = `
COPY (
  SELECT u.code AS county_code, u.province_code,
    (coalesce(a.fen, 0) // 100)::VARCHAR || '.' || lpad((coalesce(a.fen, 0) % 100)::VARCHAR, 2, '0') AS special_poverty
  FROM units u LEFT JOIN unit_amounts a USING (code)
  ORDER BY u.code
) TO ${sqlString(outFile)} (HEADER, DELIMITER ',')`;

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
for (const statement of [readUnits, readBudget, ...(mode === 'exact' ? exactStatements() : doubleStatements()), writeOut]) {
  await connection.run(statement);
}
connection.closeSync();
instance.closeSync?.();
