/**
 * Fields as people read and fill them, from JSON Schema (what `z.toJSONSchema` makes of the zod
 * schemas): a property's `title` labels it (else its key, humanised), its `description` is the hint,
 * and its limits become the input's attributes, shown before anyone types.
 */
import { escapeHtml } from './layout.ts';

/** The part of a JSON Schema property the pages read. */
export interface PropertySchema {
  readonly type?: string | readonly string[];
  readonly title?: string;
  readonly description?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly PropertySchema[];
  readonly oneOf?: readonly PropertySchema[];
}

export interface ObjectSchema {
  readonly properties?: Readonly<Record<string, PropertySchema>>;
  readonly required?: readonly string[];
}

/** `projectName` → "Project name", `new_email` → "New email". */
export function humanise(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const labelOf = (schema: ObjectSchema, key: string): string => schema.properties?.[key]?.title ?? humanise(key);

const variants = (property: PropertySchema): readonly PropertySchema[] => [property, ...(property.anyOf ?? []), ...(property.oneOf ?? [])];

/** A yes/no the reader confirms: a boolean, or a union that takes `true` (ConfirmSchema). */
export const isConfirmation = (property: PropertySchema): boolean =>
  variants(property).some((variant) => variant.type === 'boolean' || variant.const === true);

/** How a value reads in a labelled row: lists joined, yes/no for booleans, JSON for the rest. */
function valueHtml(value: unknown): string {
  if (value === undefined || value === null || value === '') return '<span class="muted">(none)</span>';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string' || typeof value === 'number') return escapeHtml(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number')) return escapeHtml(value.join(', '));
  return `<code>${escapeHtml(JSON.stringify(value))}</code>`;
}

/** An object's fields as labelled rows (`<dl class="fields">`), in the schema's order, then any others. */
export function dataRows(data: Readonly<Record<string, unknown>>, schema: ObjectSchema): string {
  const known = Object.keys(schema.properties ?? {}).filter((key) => key in data);
  const others = Object.keys(data).filter((key) => !known.includes(key));
  const rows = [...known, ...others].map((key) => {
    const hint = schema.properties?.[key]?.description;
    return `<dt>${escapeHtml(labelOf(schema, key))}${hint ? `<span class="hint">${escapeHtml(hint)}</span>` : ''}</dt><dd>${valueHtml(data[key])}</dd>`;
  });
  return `<dl class="fields">${rows.join('')}</dl>`;
}

/** The kind of `<input>` for a text property. */
export function inputType(name: string, property: PropertySchema): 'password' | 'email' | 'text' {
  if (/password/i.test(name)) return 'password';
  if (variants(property).some((variant) => variant.format === 'email')) return 'email';
  return 'text';
}

/**
 * The attributes that show a text property's limits before typing: `required`, `minlength`,
 * `maxlength`, `pattern` (not for emails: `type=email` checks those, and zod's address pattern is
 * no HTML pattern).
 */
export function limitAttributes(name: string, property: PropertySchema, required: boolean): string {
  const attributes: string[] = [];
  if (required) attributes.push('required');
  if (property.minLength !== undefined) attributes.push(`minlength="${property.minLength}"`);
  if (property.maxLength !== undefined) attributes.push(`maxlength="${property.maxLength}"`);
  if (property.pattern !== undefined && inputType(name, property) !== 'email') attributes.push(`pattern="${escapeHtml(property.pattern)}"`);
  return attributes.join(' ');
}

/** The limits in words, for the hint under the label ("At least 12 characters, at most 256."). */
export function limitsInWords(property: PropertySchema): string | undefined {
  const { minLength, maxLength } = property;
  if (minLength !== undefined && maxLength !== undefined) return `At least ${minLength} characters, at most ${maxLength}.`;
  if (minLength !== undefined) return `At least ${minLength} characters.`;
  if (maxLength !== undefined) return `At most ${maxLength} characters.`;
  return undefined;
}
