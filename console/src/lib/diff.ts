/** Differences a reviewer reads: changed fields of two records, and within a text what was cut and added. */

export interface Segment {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** Character-level diff (the longest common subsequence): Chinese text has no words to split on. */
export function diffText(before: string, after: string): Segment[] {
  const a = [...before];
  const b = [...after];
  const n = a.length;
  const m = b.length;
  const lcs = new Uint16Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[at(i, j)] =
        a[i] === b[j] ? lcs[at(i + 1, j + 1)]! + 1 : Math.max(lcs[at(i + 1, j)]!, lcs[at(i, j + 1)]!);
  const out: Segment[] = [];
  const push = (kind: Segment['kind'], ch: string) => {
    const last = out.at(-1);
    if (last?.kind === kind) last.text += ch;
    else out.push({ kind, text: ch });
  };
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      push('same', a[i]!);
      i++;
      j++;
    } else if (lcs[at(i + 1, j)]! >= lcs[at(i, j + 1)]!) push('removed', a[i++]!);
    else push('added', b[j++]!);
  }
  while (i < n) push('removed', a[i++]!);
  while (j < m) push('added', b[j++]!);
  return out;
}

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v ?? null));

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
/** The same value: equal JSON, or two spellings of one instant (…Z and …+08:00). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && INSTANT.test(a) && INSTANT.test(b))
    return Date.parse(a) === Date.parse(b);
  return show(a) === show(b);
}

/** Top-level fields whose values differ (bookkeeping fields left out by the caller). */
export function changedFields(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
  ignore: readonly string[] = [],
): FieldChange[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter(
    (k) => !ignore.includes(k),
  );
  return keys
    .filter((k) => !sameValue(before?.[k], after?.[k]))
    .map((k) => ({ field: k, before: before?.[k], after: after?.[k] }));
}

export { show as showValue };
