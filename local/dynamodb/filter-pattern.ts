/**
 * Lambda event filtering, for the local stream consumer: whether a record matches a filter
 * pattern, as the event source mapping decides on AWS (the part of the pattern syntax Assent's
 * patterns use). A pattern is an object whose leaves are arrays of alternatives: a literal (equal),
 * `{ prefix }`, `{ 'anything-but': [...] }`, `{ exists }`; every key must match, any alternative may.
 */
type Leaf = string | number | boolean | null | { readonly prefix: string } | { readonly 'anything-but': readonly unknown[] } | { readonly exists: boolean };

export function matchesFilter(pattern: object, value: unknown): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = isRecord(value) ? value[key] : undefined;
    if (Array.isArray(expected)) return (expected as Leaf[]).some((leaf) => matchesLeaf(leaf, actual));
    return isRecord(expected) && actual !== undefined && matchesFilter(expected, actual);
  });
}

function matchesLeaf(leaf: Leaf, actual: unknown): boolean {
  if (isRecord(leaf)) {
    if ('exists' in leaf) return leaf.exists === (actual !== undefined);
    if (actual === undefined || isRecord(actual)) return false;
    if ('prefix' in leaf) return typeof actual === 'string' && actual.startsWith(leaf.prefix);
    if ('anything-but' in leaf) return !leaf['anything-but'].includes(actual);
    return false;
  }
  return actual === leaf;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
