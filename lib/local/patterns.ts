/**
 * SNS filter policies (on message attributes) and EventBridge event patterns (on the event), the
 * subset schemas/blueprint.ts admits: exact values, `prefix`, `anything-but`, `exists`, and nested
 * objects for event patterns. One matcher, because the two languages share these semantics.
 */

type Condition =
  | string
  | number
  | { prefix: string }
  | { 'anything-but': string | string[] }
  | { exists: boolean };

function matchesCondition(value: unknown, present: boolean, cond: unknown): boolean {
  if (typeof cond === 'string' || typeof cond === 'number') {
    return present && (Array.isArray(value) ? value.includes(cond) : value === cond);
  }
  const c = cond as Condition & object;
  if ('exists' in c) return c.exists === present;
  if (!present) return false;
  const values = Array.isArray(value) ? value : [value];
  if ('prefix' in c) return values.some((v) => typeof v === 'string' && v.startsWith(c.prefix));
  if ('anything-but' in c) {
    const banned = Array.isArray(c['anything-but']) ? c['anything-but'] : [c['anything-but']];
    return values.every((v) => !banned.includes(v as string));
  }
  return false;
}

/** Does `subject` satisfy `pattern`? Every key must match; within a key, any listed condition. */
export function matchesPattern(subject: Record<string, unknown>, pattern: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const present = Object.hasOwn(subject, key) && subject[key] !== undefined;
    const value = subject[key];
    if (Array.isArray(expected)) return expected.some((cond) => matchesCondition(value, present, cond));
    if (expected && typeof expected === 'object') {
      return (
        present &&
        typeof value === 'object' &&
        value !== null &&
        matchesPattern(value as Record<string, unknown>, expected as Record<string, unknown>)
      );
    }
    return false;
  });
}
