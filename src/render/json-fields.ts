/**
 * Reading fields of JSON documents written by other commands (summary.json,
 * compare.json, sweep.json) without trusting their shape.
 */

/** The value as an object, or undefined when it is not a plain object. */
export function objectField(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A string, number or boolean as text; '' for anything else. */
export function textField(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** An array of scalars as texts; [] when it is not an array. */
export function textListField(value: unknown): string[] {
  return Array.isArray(value) ? value.map(textField) : [];
}
