/**
 * Where a case goes: the routing rules as data (category, keywords, area → unit), first match
 * wins, otherwise the default unit (the public-relations office). Pure.
 */
import type { CaseCategory, DeskConfig } from '../../../schemas/desk.ts';

export function routeCase(
  config: Pick<DeskConfig, 'rules' | 'defaultUnit'>,
  c: { category: CaseCategory; text: string; area: string | null },
): string {
  const rule = config.rules.find(
    (r) =>
      (!r.categories || r.categories.includes(c.category)) &&
      (!r.keywords || r.keywords.some((k) => c.text.includes(k))) &&
      (!r.areas || (c.area !== null && r.areas.some((a) => c.area!.includes(a) || c.text.includes(a)))),
  );
  return rule?.unit ?? config.defaultUnit;
}

export const unitOf = (config: DeskConfig, id: string) => config.units.find((u) => u.id === id);

/** The units a staff member works or supervises (by JWT sub). */
export function unitsOfStaff(
  config: DeskConfig,
  sub: string,
): { works: Set<string>; supervises: Set<string> } {
  const works = new Set<string>();
  const supervises = new Set<string>();
  for (const u of config.units) {
    if (u.officers.includes(sub)) works.add(u.id);
    if (u.supervisors.includes(sub)) supervises.add(u.id);
  }
  return { works, supervises };
}
