/**
 * Driver notices against DynamoDB Local with the real adapters (the drivers and operations tables):
 * ingest event by event (invalid ones refused with the reason, the same event twice a duplicate, an
 * older one stale), who a notice reaches (verified owners only; a follower who merely bound the plate
 * gets nothing), verification (wrong proof, attempts exhausted, success) and the daily reminders at
 * each offset across a month boundary and a holiday. Delivery itself (caps, quiet hours, SMS budget)
 * is the pipeline's, tested end to end in test/e2e/drivers.test.ts.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { driverDesk, verifyLicence, verifyPlate } from '../../functions/core/drivers/desk.ts';
import { ingestEvents } from '../../functions/core/drivers/ingest.ts';
import { driverRunKey } from '../../functions/core/drivers/notices.ts';
import { verifyPageToken } from '../../functions/core/drivers/page-token.ts';
import { planDueReminders } from '../../functions/core/drivers/reminders.ts';
import { licenceKey, vehicleKey } from '../../functions/core/drivers/subjects.ts';
import { phoneId } from '../../functions/core/sms/numbers.ts';
import { fixedClock } from '../../functions/core/time.ts';
import { PAGE_TOKEN } from '../../functions/core/wechat/templates.ts';
import {
  CapturedDeliveries,
  type DriverTables,
  deskDepsOf,
  driverTables,
  event,
  ingestDepsOf,
  pageKey,
  pepper,
  reminderDepsOf,
  smsPepper,
} from '../fixtures/drivers.ts';

const morning = fixedClock('2026-11-16T02:00:00Z'); // Monday 10:00 in Shanghai
let db: DriverTables;
beforeAll(async () => {
  db = await driverTables(inject('dynamodbEndpoint'));
});

const alice = { channel: 'wechat' as const, id: 'o-alice' };
const bob = { channel: 'wechat' as const, id: 'o-bob' };

describe('ingest', () => {
  it('answers a batch event by event: the invalid ones refused with the reason, the others applied', async () => {
    const out = new CapturedDeliveries();
    const answer = await ingestEvents(
      [
        event.vehicle('b1-veh', '京A10001', '184952', { phone: '13800138000' }),
        { ...event.vehicle('b1-kind', '京A10002', '184952'), kind: 'parking' },
        { ...event.vehicle('b1-missing', '京A10003', '184952'), vinLast6: undefined },
        event.vehicle('b1-plate', '京Z', '184952'),
        event.vehicle('b1-phone', '京A10004', '184952', { phone: '01062512345' }), // a landline
        event.violation('b1-photo', '京A10001', { photos: ['http://insecure.example/p.jpg'] }),
        'not an event',
        { ...event.vehicle('b1-time', '京A10005', '184952'), occurredAt: '2026-11-16 08:00' },
        event.licence('b1-lic', '110101199001011234', '110000123456'),
      ],
      ingestDepsOf(db, out, morning),
    );
    expect(answer).toMatchObject({ accepted: 2, duplicate: 0, stale: 0, invalid: 7 });
    expect(answer.results.map((r) => [r.index, r.eventId, r.status])).toEqual([
      [0, 'b1-veh', 'accepted'],
      [1, 'b1-kind', 'invalid'],
      [2, 'b1-missing', 'invalid'],
      [3, 'b1-plate', 'invalid'],
      [4, 'b1-phone', 'invalid'],
      [5, 'b1-photo', 'invalid'],
      [6, null, 'invalid'],
      [7, 'b1-time', 'invalid'],
      [8, 'b1-lic', 'accepted'],
    ]);
    const reasons = answer.results.map((r) => r.reason ?? '');
    expect(reasons[1]).toMatch(/^kind: /);
    expect(reasons[2]).toMatch(/^vinLast6: /);
    expect(reasons[3]).toMatch(/^plate: /);
    expect(reasons[4]).toBe('phone: not a mainland China mobile number');
    expect(reasons[5]).toMatch(/^photos\.0: photo links are https URLs/);
    expect(reasons[7]).toMatch(/^occurredAt: expected an ISO 8601 instant/);
    // Nothing of the invalid events was stored; nothing was published (no owner yet).
    expect(await db.records.vehicle(vehicleKey(pepper, '京A10002'))).toEqual([]);
    expect(await db.records.vehicle(vehicleKey(pepper, '京A10004'))).toEqual([]);
    expect(out.messages).toEqual([]);
  });

  it('keeps the VIN suffix, the file number and the phone only hashed or sealed, with a TTL after the retention', async () => {
    const items = JSON.stringify(await db.items());
    for (const secret of ['184952', '110000123456', '13800138000', '110101199001011234'])
      expect(items).not.toContain(secret);
    const [vehicle] = await db.records.vehicle(vehicleKey(pepper, '京A10001'));
    expect(vehicle!.phone).toMatchObject({
      id: phoneId(smsPepper, '+8613800138000'),
      masked: '+86 138****8000',
    });
    const stored = (await db.items()).filter((i) => String(i.sk).startsWith('REG'));
    const retention = Math.floor(morning.now().getTime() / 1000) + 400 * 86_400;
    for (const i of stored) expect(Number(i.expiresAt)).toBeGreaterThanOrEqual(retention - 3600);
    for (const i of stored) expect(Number(i.expiresAt)).toBeLessThanOrEqual(retention + 86_400);
  });

  it('is idempotent by event id: the same event again is a duplicate (in one batch and in a later one), an older one is stale', async () => {
    const out = new CapturedDeliveries();
    const deps = ingestDepsOf(db, out, morning);
    const first = event.due(
      'b2-due',
      'inspection-due',
      '京A10001',
      '2026-12-01',
      '2026-11-16T08:00:00+08:00',
    );
    const once = await ingestEvents([first, first], deps);
    expect(once.results.map((r) => r.status)).toEqual(['accepted', 'duplicate']);
    expect(once.results[1]!.reason).toBe('the same event id earlier in this batch');
    const again = await ingestEvents([first], deps);
    expect(again.results).toEqual([
      { index: 0, eventId: 'b2-due', status: 'duplicate', reason: 'this event was applied before' },
    ]);
    const older = await ingestEvents(
      [event.due('b2-older', 'inspection-due', '京A10001', '2026-06-01', '2026-11-01T08:00:00+08:00')],
      deps,
    );
    expect(older.results[0]).toMatchObject({ status: 'stale' });
    const newer = await ingestEvents(
      [event.due('b2-newer', 'inspection-due', '京A10001', '2027-12-01', '2026-11-16T09:00:00+08:00')],
      deps,
    );
    expect(newer.results[0]).toMatchObject({ status: 'accepted' });
    expect((await db.records.due(vehicleKey(pepper, '京A10001'))).map((d) => d.dueDate)).toEqual([
      '2027-12-01',
    ]);
  });
});

describe('who a notice reaches', () => {
  const plate = '京A20001';
  const deskDeps = () => deskDepsOf(db, morning);

  beforeAll(async () => {
    await ingestEvents(
      [event.vehicle('p-veh', plate, 'C21849', { phone: '13900139000' })],
      ingestDepsOf(db, new CapturedDeliveries(), morning),
    );
  });

  it('a violation for a plate bound but unverified reaches nobody (not even the registered phone unless enabled)', async () => {
    const out = new CapturedDeliveries();
    const answer = await ingestEvents([event.violation('p-vio-1', plate)], ingestDepsOf(db, out, morning));
    expect(answer.results[0]).toMatchObject({ status: 'accepted', notices: 0 });
    expect(out.messages).toEqual([]);
  });

  it('verified reaches exactly that follower, once; a second follower who bound the same plate without verifying gets nothing', async () => {
    // Both bound the plate; Alice proves it, Bob only guesses.
    expect(
      await verifyPlate(alice, 'dev', { plate, vinLast6: 'c21849', bound: [plate] }, deskDeps()),
    ).toEqual({
      outcome: 'verified',
      display: plate,
    });
    expect(
      await verifyPlate(bob, 'dev', { plate, vinLast6: '000000', bound: [plate] }, deskDeps()),
    ).toMatchObject({
      outcome: 'wrong',
    });
    const out = new CapturedDeliveries();
    const deps = ingestDepsOf(db, out, morning);
    const vio = event.violation('p-vio-2', plate, {
      photos: ['https://platform.example.gov.cn/photos/secret-1.jpg'],
    });
    const answer = await ingestEvents([vio], deps);
    expect(answer.results[0]).toMatchObject({ status: 'accepted', notices: 1 });
    expect(out.messages).toHaveLength(1);
    const [bundle] = out.messages;
    expect(bundle).toMatchObject({
      category: 'transactional',
      channel: 'wechat',
      account: 'dev',
      runKey: driverRunKey('violation', '2026-11-16'),
      recipients: [{ id: 'o-alice', plates: [plate] }],
    });
    // The photo stays behind the signed link; the message never carries it.
    expect(JSON.stringify(bundle)).not.toContain('secret-1.jpg');
    const token = verifyPageToken(pageKey, bundle!.values![PAGE_TOKEN]!, morning.now().getTime());
    expect(token).toMatchObject({ ok: true, payload: { k: 'violation', r: 'V-p-vio-2' } });
    // The same event again, and the violation's later state change, notify nobody again.
    expect((await ingestEvents([vio], deps)).results[0]!.status).toBe('duplicate');
    const paid = event.violation('p-vio-2-paid', plate, {
      violationId: 'V-p-vio-2',
      state: 'paid',
      at: '2026-11-17T08:00:00+08:00',
    });
    expect((await ingestEvents([paid], deps)).results[0]).toMatchObject({ status: 'accepted' });
    expect(out.messages).toHaveLength(1);
    // The day's run counts what was planned.
    expect((await db.runs.get(driverRunKey('violation', '2026-11-16')))?.counts.planned).toBe(1);
  });

  it('records each batch’s bundles on its day run before publishing: one lost on the way is emitted again by a resume', async () => {
    // Alice verified the plate above. The bundle is published and lost (a worker died with it).
    const lost = new CapturedDeliveries();
    const runKey = driverRunKey('violation', '2026-11-16');
    const before = (await db.runs.get(runKey))!.counts.planned ?? 0;
    const vio = event.violation('p-vio-lost', plate);
    expect((await ingestEvents([vio], ingestDepsOf(db, lost, morning))).results[0]).toMatchObject({
      status: 'accepted',
      notices: 1,
    });
    const [published] = lost.messages;
    const { bundles } = await db.runs.unfinished(runKey);
    expect(bundles.find((b) => b.bundle === published!.bundle)).toEqual(published);
    // A retried batch (the platform saw no answer) records and counts nothing again.
    await ingestEvents([vio], ingestDepsOf(db, new CapturedDeliveries(), morning));
    expect((await db.runs.get(runKey))!.counts.planned).toBe(before + 1);
  });

  it('with SMS to registered phones enabled, goes to the registered phone only while no one verified on WeChat', async () => {
    const other = '京A20002';
    const out = new CapturedDeliveries();
    const deps = ingestDepsOf(db, out, morning, { smsToRegistered: true });
    await ingestEvents([event.vehicle('s-veh', other, 'D21849', { phone: '13700137000' })], deps);
    await ingestEvents([event.violation('s-vio-1', other)], deps);
    expect(out.take()).toEqual([
      expect.objectContaining({
        channel: 'sms',
        account: 'sms',
        registeredPhone: true,
        recipients: [{ id: phoneId(smsPepper, '+8613700137000'), plates: [other] }],
        values: expect.objectContaining({ template: 'driver-violation', plate: other }),
      }),
    ]);
    // A plate with no registered phone: nobody.
    await ingestEvents([event.vehicle('s-veh-nophone', '京A20003', 'E21849')], deps);
    await ingestEvents([event.violation('s-vio-nophone', '京A20003')], deps);
    expect(out.take()).toEqual([]);
    // Once the owner verified on WeChat, the notice goes there and not by SMS.
    await verifyPlate(alice, 'dev', { plate: other, vinLast6: 'D21849', bound: [other] }, deskDeps());
    await ingestEvents([event.violation('s-vio-2', other)], deps);
    expect(out.take().map((b) => [b.channel, b.recipients.map((r) => r.id)])).toEqual([
      ['wechat', ['o-alice']],
    ]);
  });

  it('unbinding the plate ends the ownership: the next violation reaches nobody', async () => {
    const plate2 = '京A20009';
    const out = new CapturedDeliveries();
    const deps = ingestDepsOf(db, out, morning);
    await ingestEvents([event.vehicle('u-veh', plate2, 'J21849')], deps);
    await verifyPlate(bob, 'dev', { plate: plate2, vinLast6: 'J21849', bound: [plate2] }, deskDeps());
    expect(
      (await db.records.holders([vehicleKey(pepper, plate2)])).get(vehicleKey(pepper, plate2).key),
    ).toMatchObject({
      owners: [{ channel: 'wechat', id: 'o-bob', method: 'vin' }],
    });
    await driverDesk(deskDeps()).unbound(bob, [plate2]);
    expect(
      (await db.records.holders([vehicleKey(pepper, plate2)])).get(vehicleKey(pepper, plate2).key),
    ).toEqual({
      owners: [],
      phoneId: null,
    });
    await ingestEvents([event.violation('u-vio', plate2)], deps);
    expect(out.messages).toEqual([]);
  });

  it('points reaching the threshold notify the verified licence holder; below it, nobody', async () => {
    const licence = '110101199202021234';
    const out = new CapturedDeliveries();
    const deps = ingestDepsOf(db, out, morning);
    await ingestEvents([event.licence('l-reg', licence, '110000654321')], deps);
    expect(
      await verifyLicence(alice, 'dev', { licenceNumber: licence, fileNumber: '110000654321' }, deskDeps()),
    ).toMatchObject({ outcome: 'verified', display: '1101**********1234' });
    await ingestEvents([event.points('l-6', licence, 6)], deps);
    expect(out.take()).toEqual([]);
    await ingestEvents([event.points('l-9', licence, 9, '2026-11-16T09:00:00+08:00')], deps);
    const [b] = out.take();
    expect(b).toMatchObject({ recipients: [{ id: 'o-alice', plates: [] }], values: { points: '9' } });
    expect(JSON.stringify(b)).not.toContain(licence);
    expect(await db.records.points(licenceKey(pepper, licence))).toMatchObject({ points: 9 });
  });
});

describe('verification', () => {
  const plate = '京A30001';
  beforeAll(async () => {
    await ingestEvents(
      [event.vehicle('v-veh', plate, 'F21849')],
      ingestDepsOf(db, new CapturedDeliveries(), morning),
    );
  });

  it('refuses a plate the follower has not bound', async () => {
    expect(
      await verifyPlate(alice, 'dev', { plate, vinLast6: 'F21849', bound: [] }, deskDepsOf(db, morning)),
    ).toEqual({
      outcome: 'not-bound',
    });
  });

  it('counts a wrong VIN suffix, locks after the attempts, keeps the lock for the day even for the right one, then lets it succeed tomorrow', async () => {
    const carol = { channel: 'wechat' as const, id: 'o-carol' };
    const req = (vin: string) => ({ plate, vinLast6: vin, bound: [plate] });
    const deps = deskDepsOf(db, morning, { followerAttempts: 3 });
    expect(await verifyPlate(carol, 'dev', req('000001'), deps)).toEqual({ outcome: 'wrong', left: 2 });
    expect(await verifyPlate(carol, 'dev', req('000002'), deps)).toEqual({ outcome: 'wrong', left: 1 });
    expect(await verifyPlate(carol, 'dev', req('000003'), deps)).toEqual({ outcome: 'locked' });
    expect(await verifyPlate(carol, 'dev', req('F21849'), deps)).toEqual({ outcome: 'locked' });
    expect(await db.ownerships.verified(carol)).toEqual([]);
    const tomorrow = deskDepsOf(db, fixedClock('2026-11-17T02:00:00Z'), { followerAttempts: 3 });
    expect(await verifyPlate(carol, 'dev', req('f21849'), tomorrow)).toEqual({
      outcome: 'verified',
      display: plate,
    });
    expect(await verifyPlate(carol, 'dev', req('f21849'), tomorrow)).toEqual({
      outcome: 'already',
      display: plate,
    });
    expect((await db.ownerships.verified(carol)).map((v) => v.display)).toEqual([plate]);
    // The replies say what to do, and never the VIN.
    const desk = driverDesk(deps);
    const reply = await desk.verifyPlate({ channel: 'wechat', id: 'o-dave' }, 'dev', req('123456'));
    expect(reply).toContain('还可尝试 2 次');
    expect(reply).not.toContain('123456');
  });

  it('locks a plate for everyone after too many wrong proofs from anyone; an unregistered plate is just wrong', async () => {
    const deps = deskDepsOf(db, morning, { subjectAttempts: 3 });
    const other = '京A30002';
    await ingestEvents(
      [event.vehicle('v-veh-2', other, 'G21849')],
      ingestDepsOf(db, new CapturedDeliveries(), morning),
    );
    for (const [i, id] of ['o-x1', 'o-x2'].entries())
      expect(
        await verifyPlate(
          { channel: 'wechat', id },
          'dev',
          { plate: other, vinLast6: `00000${i}`, bound: [other] },
          deps,
        ),
      ).toMatchObject({ outcome: 'wrong' });
    expect(
      await verifyPlate(
        { channel: 'wechat', id: 'o-x3' },
        'dev',
        { plate: other, vinLast6: '000009', bound: [other] },
        deps,
      ),
    ).toEqual({ outcome: 'locked' });
    // The owner is locked out today too (the plate is).
    expect(
      await verifyPlate(
        { channel: 'wechat', id: 'o-owner' },
        'dev',
        { plate: other, vinLast6: 'G21849', bound: [other] },
        deps,
      ),
    ).toEqual({ outcome: 'locked' });
    expect(
      await verifyPlate(alice, 'dev', { plate: '京A39999', vinLast6: 'G21849', bound: ['京A39999'] }, deps),
    ).toMatchObject({ outcome: 'wrong' });
  });

  it('counts attempts, successes and wrong proofs per week, and the verified owners now', async () => {
    const weeks = await db.tally.weeks(['2026-W47']);
    expect(weeks.weeks[0]).toMatchObject({ week: '2026-W47' });
    const w = weeks.weeks[0]!;
    expect(w.attempts).toBe(w.verified + w.wrong);
    expect(w.verified).toBeGreaterThanOrEqual(3);
    // Refused while locked (the attempt that used the last try is counted wrong).
    expect(w.locked).toBeGreaterThanOrEqual(2);
    expect(weeks.owners).toBeGreaterThanOrEqual(4);
  });
});

describe('due-date reminders from the daily schedule', () => {
  // Due 2026-10-31 with offsets 30, 7, 0 and -1: 30 days before is 1 October, National Day —
  // moved to the last working day before the holiday, 30 September (a month back); 7 days before is
  // Saturday 24 October (a weekend, not a holiday: not moved); on the day; and 1 November, overdue.
  const plate = '京A40001';
  const expected: Record<string, number> = {
    '2026-09-30': 30,
    '2026-10-24': 7,
    '2026-10-31': 0,
    '2026-11-01': -1,
  };

  beforeAll(async () => {
    const deps = ingestDepsOf(db, new CapturedDeliveries(), fixedClock('2026-09-01T02:00:00Z'));
    await ingestEvents(
      [event.vehicle('r-veh', plate, 'H21849'), event.due('r-ins', 'inspection-due', plate, '2026-10-31')],
      deps,
    );
    await verifyPlate(
      { channel: 'wechat', id: 'o-erin' },
      'dev',
      { plate, vinLast6: 'H21849', bound: [plate] },
      deskDepsOf(db, fixedClock('2026-09-01T02:00:00Z')),
    );
  });

  it('plans each offset’s reminder on its day, and nothing on the days between', async () => {
    const sent: Record<string, string[]> = {};
    // The four days, and the days either side of each (every day of the month would take minutes).
    const days = [
      ...['2026-09-29', '2026-09-30', '2026-10-01', '2026-10-08', '2026-10-23', '2026-10-24'],
      ...['2026-10-25', '2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02'],
    ];
    for (const day of days) {
      const out = new CapturedDeliveries();
      await planDueReminders({}, reminderDepsOf(db, out, fixedClock(`${day}T02:00:00Z`)));
      const mine = out.messages.filter((b) => b.recipients.some((r) => r.id === 'o-erin'));
      if (mine.length) sent[day] = mine.map((b) => b.values?.detail ?? '');
      for (const b of mine)
        expect(b).toMatchObject({ category: 'transactional', runKey: driverRunKey('inspection-due', day) });
      // Recorded on the run before they went out: nothing delivered them, so a resume would emit them all.
      const { bundles } = await db.runs.unfinished(driverRunKey('inspection-due', day));
      for (const b of mine) expect(bundles.map((u) => u.bundle)).toContain(b.bundle);
    }
    expect(Object.keys(sent).sort()).toEqual(Object.keys(expected).sort());
    expect(sent['2026-09-30']).toEqual(['机动车检验有效期至10月31日，还有31天']);
    expect(sent['2026-10-24']).toEqual(['机动车检验有效期至10月31日，还有7天']);
    expect(sent['2026-10-31']).toEqual(['机动车检验有效期至10月31日，今天到期']);
    expect(sent['2026-11-01']).toEqual(['机动车检验有效期至10月31日，已逾期1天']);
  }, 180_000);

  it('gives each offset its own push key, and a second run of a day plans nothing again', async () => {
    const keys = new Set<string>();
    for (const day of Object.keys(expected)) {
      const clock = fixedClock(`${day}T02:00:00Z`);
      const out = new CapturedDeliveries();
      await planDueReminders({}, reminderDepsOf(db, out, clock));
      // Already planned in the test above: the segments are done.
      expect(out.messages).toEqual([]);
      const again = new CapturedDeliveries();
      await planDueReminders({ date: day }, { ...reminderDepsOf(db, again, clock), runs: freshRuns() });
      for (const b of again.messages.filter((m) => m.recipients.some((r) => r.id === 'o-erin')))
        keys.add(b.pushKey);
    }
    expect(keys.size).toBe(4);
  }, 120_000);
});

/** A run log that has seen nothing (plans a day as if for the first time, for its push keys). */
function freshRuns() {
  const cursors = new Map<string, boolean>();
  return {
    createOrGet: async () => ({
      created: true,
      run: { status: 'running' as const, reason: null, segmentsTotal: 0 },
    }),
    segmentCursor: async (run: string, segment: string) => ({
      page: 0,
      cursor: null,
      done: cursors.get(`${run}#${segment}`) ?? false,
    }),
    advanceSegment: async (run: string, segment: string) => {
      cursors.set(`${run}#${segment}`, true);
      return true;
    },
    get: async () => undefined,
  };
}
