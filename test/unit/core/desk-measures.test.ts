/**
 * The desk's measures (issue 17 item 7), in the admin API and as metrics, over the same cases: opened
 * by category, channel and unit; the time to the first answer (its p50 is the median); satisfaction
 * (its average); overdue. The desk runs on the in-memory store with a clock the test moves.
 */
import { describe, expect, it } from 'vitest';
import { answerCase, closeDeskCase, createStaffCase } from '../../../functions/core/desk/desk.ts';
import { citizenInbox } from '../../../functions/core/desk/intake.ts';
import { deskMeasures } from '../../../functions/core/desk/measures.ts';
import { memoryDesk, movableClock } from '../../fixtures/memory/cases.ts';

const tom = { sub: 'tom', roles: ['officer'] };
const sam = { sub: 'sam', roles: ['supervisor'] };
const follower = { channel: 'wechat' as const, id: 'o-measures-1' };

describe('the desk’s measures', () => {
  it('counts the week’s cases by category, channel and unit, in the API and as metrics', async () => {
    // Monday 2026-11-23 09:30 Shanghai.
    const clock = movableClock('2026-11-23T01:30:00Z');
    const { deps, metrics } = memoryDesk(clock);
    const inbox = citizenInbox(deps, async (ref) => ({
      channel: 'wechat',
      id: ref.id,
      account: 'dev',
      sealedPhone: null,
    }));
    const wechat = await inbox.open(follower, { category: 'complaint', text: '幸福路违停严重' });
    const hotline = await createStaffCase(
      { channel: 'hotline', category: 'consultation', text: '驾驶证到期怎么换', phone: '13800138000' },
      sam,
      deps,
    );
    const opened = metrics.filter((m) => m.name === 'DeskCasesOpened');
    expect(opened).toEqual([
      {
        name: 'DeskCasesOpened',
        n: 1,
        unit: 'Count',
        by: { category: 'complaint', channel: 'wechat', unit: 'traffic-order' },
      },
      {
        name: 'DeskCasesOpened',
        n: 1,
        unit: 'Count',
        by: { category: 'consultation', channel: 'hotline', unit: 'vehicle-admin' },
      },
    ]);

    // 90 minutes later tom answers the complaint; a second answer is no first answer.
    clock.advance(90 * 60_000);
    const detail = await answerCase(wechat.caseNumber, { version: 1, text: '已派民警巡查。' }, tom, deps);
    await answerCase(wechat.caseNumber, { version: detail.case.version, text: '已设置抓拍。' }, tom, deps);
    const firsts = metrics.filter((m) => m.name === 'DeskFirstAnswerSeconds');
    expect(firsts).toEqual([
      {
        name: 'DeskFirstAnswerSeconds',
        n: 90 * 60,
        unit: 'Seconds',
        by: { category: 'complaint', unit: 'traffic-order' },
      },
    ]);

    // Closed, the citizen rates it 2.
    const current = (await deps.store.get(wechat.caseNumber))!;
    await closeDeskCase(wechat.caseNumber, { version: current.version }, tom, deps);
    expect(await inbox.rate(follower, 2)).toEqual({ caseNumber: wechat.caseNumber });
    expect(metrics.filter((m) => m.name === 'DeskSatisfactionScore')).toEqual([
      { name: 'DeskSatisfactionScore', n: 2, unit: 'None', by: { unit: 'traffic-order' } },
    ]);

    // The API's week says the same; the hotline case, unanswered past its 4 working hours, is overdue.
    clock.set('2026-11-23T07:00:00Z'); // 15:00 Shanghai
    const units = (await deps.config()).units.map((u) => u.id);
    const { weeks } = await deskMeasures(1, { store: deps.store, units, now: clock.now() });
    expect(weeks[0]).toEqual({
      week: '2026-W48',
      cases: 2,
      byCategory: { complaint: 1, consultation: 1 },
      byUnit: { 'traffic-order': 1, 'vehicle-admin': 1 },
      byChannel: { wechat: 1, hotline: 1 },
      medianFirstAnswerMinutes: 90,
      overdue: 1,
      satisfaction: { answers: 1, average: 2 },
    });
    expect(hotline.case.unit).toBe('vehicle-admin');
  });
});
