/** What logs and support views show of personal identifiers: never the whole of them. */

/** Openids and phone-number HMACs in logs: first 4 and last 4 characters only. */
export function maskId(id: string): string {
  return id.length <= 8 ? '****' : `${id.slice(0, 4)}****${id.slice(-4)}`;
}

/** 京A12345 → 京A***45: province, letter and the last two characters (the tail stays readable). */
export function maskPlate(plate: string): string {
  const chars = [...plate];
  return chars.length <= 4 ? '***' : `${chars.slice(0, 2).join('')}***${chars.slice(-2).join('')}`;
}
