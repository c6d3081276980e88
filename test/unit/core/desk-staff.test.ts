/** The officers' desk use cases on the memory store: what a hotline officer sees of what they registered. */
import { describe, expect, it } from 'vitest';
import { createStaffCase, getCase } from '../../../functions/core/desk/desk.ts';
import { ForbiddenError } from '../../../functions/core/errors.ts';
import { memoryDesk, movableClock } from '../../fixtures/memory/cases.ts';

describe('a case taken on the hotline', () => {
  it('is shown to the officer who registered it, even when the rules route it to another unit', async () => {
    const { deps, answers } = memoryDesk(movableClock('2026-11-23T02:00:00Z'));
    const olga = { sub: 'olga', roles: ['officer'] }; // public relations
    const made = await createStaffCase(
      { channel: 'hotline', category: 'consultation', text: '驾驶证到期怎么换证', phone: '13800138000' },
      olga,
      deps,
    );
    expect(made.case).toMatchObject({ unit: 'vehicle-admin', channel: 'hotline', status: 'new' });
    expect(made.case.citizen).toEqual({ channel: 'sms', id: 'hmac****8000', account: null });
    expect(answers).toEqual([expect.objectContaining({ kind: 'acknowledgement' })]);
    // Reading it again is for the unit's officers and supervisors.
    await expect(getCase(made.case.number, olga, deps)).rejects.toThrow(ForbiddenError);
    const sam = await getCase(made.case.number, { sub: 'sam', roles: ['supervisor'] }, deps);
    expect(sam.case.number).toBe(made.case.number);
  });
});
