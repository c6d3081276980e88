/** `deliver-wechat` → `DeliverWechat`: construct ids derived from blueprint ids. */
export const pascal = (id: string) =>
  id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
