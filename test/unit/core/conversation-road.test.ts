import { describe, expect, it } from 'vitest';
import { settings } from '../../../functions/shared/config.ts';
import { ReminderSettingsSchema } from '../../../schemas/settings.ts';

/** The served cities as the conversation's wiring reads them from SERVED_CITIES. */
const reminderCitiesFrom = (value: string | undefined) =>
  settings(ReminderSettingsSchema, value === undefined ? {} : { SERVED_CITIES: value }).reminderCities;

import { instantOf, stillInEffect } from '../../../functions/core/conversation/road.ts';

const NOW = new Date('2026-11-16T07:30:00Z'); // 15:30 in Shanghai

describe('stillInEffect: instants, never strings', () => {
  it.each([
    ['2026-11-16T15:29:00+08:00', false, 'one minute ago, +08:00 (sorts after now as text)'],
    ['2026-11-16T07:29:00Z', false, 'one minute ago, Z'],
    ['2026-11-16T07:29:00.000Z', false, 'one minute ago, Z with milliseconds'],
    ['2026-11-16T15:31:00+08:00', true, 'one minute from now, +08:00'],
    ['2026-11-16T07:31:00Z', true, 'one minute from now, Z'],
    ['2026-11-16T14:00:00+08:00', false, 'the issue’s example: ended at 14:00, asked at 15:30'],
    ['2026-11-16T07:30:00Z', false, 'ends exactly now: ended'],
    ['2026-11-16T02:31:00-05:00', true, 'another offset'],
    ['2026-11-16T15:31+0800', true, 'no seconds, offset without a colon'],
  ])('%s → %s (%s)', (effectiveTo, inEffect) => {
    expect(stillInEffect(effectiveTo, NOW)).toBe(inEffect);
  });

  it('shows an open-ended notice, and does not show one whose end cannot be read as an instant', () => {
    expect(stillInEffect(null, NOW)).toBe(true);
    expect(stillInEffect(undefined, NOW)).toBe(true);
    expect(stillInEffect('2026-11-16T23:00:00', NOW)).toBe(false); // no zone: its instant depends on the reader
    expect(stillInEffect('tomorrow', NOW)).toBe(false);
    expect(instantOf('2026-11-16T15:29:00+08:00')).toBe(Date.parse('2026-11-16T07:29:00Z'));
  });
});

describe('SERVED_CITIES (schemas/settings.ts ReminderSettingsSchema)', () => {
  it('reads the comma-separated city codes', () => {
    expect([...reminderCitiesFrom('beijing,tianjin,xian')]).toEqual(['beijing', 'tianjin', 'xian']);
    expect([...reminderCitiesFrom(' beijing , xian ')]).toEqual(['beijing', 'xian']);
  });

  it.each([undefined, '', ',', 'Beijing', 'beijing,,xian', '北京'])(
    'refuses %j, naming the variable',
    (value) => {
      expect(() => reminderCitiesFrom(value)).toThrow(/SERVED_CITIES/);
    },
  );
});
