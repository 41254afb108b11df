import type * as z from 'zod';

/** A value as a message shows it: JSON, cut short. */
export const shown = (value: unknown): string => {
  const text = value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const EXPECTED: Readonly<Record<string, string>> = {
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  string: 'a string',
  object: 'an object',
  array: 'a list',
  record: 'an object',
};

/**
 * A zod error callback for configuration files: each issue as a sentence that follows its path
 * (`must be a whole number (got "3")`, `is missing`). Refinements keep their own message: they are
 * written that way already.
 */
export function configIssueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is missing' : `must be ${EXPECTED[issue.expected] ?? issue.expected} (got ${shown(issue.input)})`;
    case 'too_small':
      if (issue.origin === 'array') return `must list at least ${issue.minimum as number} (got ${(issue.input as unknown[] | undefined)?.length ?? 0})`;
      return `must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum as number} (got ${shown(issue.input)})`;
    case 'too_big':
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum as number} (got ${shown(issue.input)})`;
    case 'invalid_value':
      return `must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((value) => JSON.stringify(value)).join(', ')} (got ${shown(issue.input)})`;
    case 'invalid_format':
      return `must be ${issue.format === 'email' ? 'an email address' : `a ${issue.format}`} (got ${shown(issue.input)})`;
    default:
      return undefined;
  }
}

/** `taskTypes.sign-up.limits.perClient.max`: a path as config keys are written. */
export const dotted = (path: readonly PropertyKey[]): string => path.map(String).join('.');
