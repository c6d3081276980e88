/**
 * Proof of ownership by a code sent by SMS to the registered phone, the pure parts with fakes of the
 * ports: off by default (refused with the VIN way), the code issued (kept only as its keyed hash,
 * sent to the registered phone, the reply naming the phone by its last 4 digits), confirmed once
 * (single use), expired, wrong codes counted against the VIN path's own limits, the send limits
 * (one a minute, a few a day per follower and per plate), no registered phone answered alike for no
 * record and a record without a phone, and the intents. The SMS itself is the `driver-codes` job's
 * (sendCodeJob, run here as the queue would run it): a send blocked (budget spent, the phone's cap,
 * refused) withdraws the code and tells the follower in WeChat; a job whose code was withdrawn sends
 * nothing; a job the ledger already holds (a second delivery) neither sends nor withdraws.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parseIntent } from '../../../functions/core/conversation/intents.ts';
import { type CodeJobDeps, sendCodeJob } from '../../../functions/core/drivers/code-sends.ts';
import { driverDesk, verifyPlate } from '../../../functions/core/drivers/desk.ts';
import type {
  CodeJobs,
  CodeSms,
  LicenceRecord,
  Owner,
  Ownerships,
  PendingCode,
  SmsCodes,
  VehicleRecord,
} from '../../../functions/core/drivers/ports.ts';
import type { DeskDeps } from '../../../functions/core/drivers/proof.ts';
import { confirmCode, requestCode } from '../../../functions/core/drivers/sms-code.ts';
import { licenceKey, type Subject, sealProof, vehicleKey } from '../../../functions/core/drivers/subjects.ts';
import type { Clock } from '../../../functions/core/time.ts';
import type { DriverCodeJob } from '../../../schemas/drivers.ts';

const pepper = Buffer.alloc(32, 5);
const plate = '京A12345';
const licence = '110101199001011234';
const alice = { channel: 'wechat' as const, id: 'o-alice' };
const bob = { channel: 'wechat' as const, id: 'o-bob' };

class MovableClock implements Clock {
  t = Date.parse('2026-11-16T10:00:00+08:00');
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

class MemoryOwnerships implements Ownerships {
  owners = new Map<string, { owner: Owner; subject: Subject; display: string }>();
  tries = new Map<string, number>();
  async verify(owner: Owner, subject: Subject, display: string) {
    this.owners.set(`${owner.channel}:${owner.id}:${subject.key}`, { owner, subject, display });
  }
  async unverify(ref: { channel: string; id: string }, subject: Subject) {
    this.owners.delete(`${ref.channel}:${ref.id}:${subject.key}`);
  }
  async verified(ref: { channel: string; id: string }) {
    return [...this.owners.values()]
      .filter((o) => o.owner.channel === ref.channel && o.owner.id === ref.id)
      .map((o) => ({ subject: o.subject, display: o.display, verifiedAt: o.owner.verifiedAt }));
  }
  private add(key: string) {
    this.tries.set(key, (this.tries.get(key) ?? 0) + 1);
  }
  async recordFailure(ref: { channel: string; id: string }, subject: Subject, day: string) {
    this.add(`f:${ref.id}:${subject.key}:${day}`);
    this.add(`s:${subject.key}:${day}`);
    return this.failures(ref, subject, day);
  }
  async failures(ref: { channel: string; id: string }, subject: Subject, day: string) {
    return {
      follower: this.tries.get(`f:${ref.id}:${subject.key}:${day}`) ?? 0,
      subject: this.tries.get(`s:${subject.key}:${day}`) ?? 0,
    };
  }
}

class MemoryCodes implements SmsCodes {
  pendingBy = new Map<string, PendingCode>();
  last = new Map<string, number>();
  sends = new Map<string, number>();
  async take(
    ref: { id: string },
    subject: Subject,
    day: string,
    nowMs: number,
    limits: { intervalMs: number; perDay: number },
  ) {
    const last = this.last.get(ref.id);
    if (last !== undefined && last > nowMs - limits.intervalMs) return 'too-soon' as const;
    const f = `${ref.id}:${day}`;
    const s = `${subject.key}:${day}`;
    if ((this.sends.get(f) ?? 0) >= limits.perDay || (this.sends.get(s) ?? 0) >= limits.perDay)
      return 'daily-limit' as const;
    this.last.set(ref.id, nowMs);
    this.sends.set(f, (this.sends.get(f) ?? 0) + 1);
    this.sends.set(s, (this.sends.get(s) ?? 0) + 1);
    return 'ok' as const;
  }
  async put(ref: { id: string }, code: PendingCode) {
    this.pendingBy.set(ref.id, code);
  }
  async pending(ref: { id: string }) {
    return this.pendingBy.get(ref.id);
  }
  claimed = new Set<string>();
  async claimSend(ref: { id: string }, hash: string) {
    if (this.pendingBy.get(ref.id)?.hash !== hash || this.claimed.has(hash)) return false;
    this.claimed.add(hash);
    return true;
  }
  async consume(ref: { id: string }, hash: string) {
    if (this.pendingBy.get(ref.id)?.hash !== hash) return false;
    this.pendingBy.delete(ref.id);
    return true;
  }
}

class FakeSms implements CodeSms {
  sent: Array<{ phoneId: string; pushKey: string; values: Record<string, string> }> = [];
  outcome: Awaited<ReturnType<CodeSms['send']>> = 'sent';
  async send(to: { phoneId: string }, message: { pushKey: string; values: Record<string, string> }) {
    this.sent.push({ phoneId: to.phoneId, ...message });
    return this.outcome;
  }
  /** The last code sent, as the phone reads it. */
  get code() {
    return this.sent.at(-1)!.values.code!;
  }
}

/** The `driver-codes` queue: each job run as send-driver-code runs it, unless held. */
class FakeJobs implements CodeJobs {
  jobs: DriverCodeJob[] = [];
  hold = false;
  down = false;
  async send(job: DriverCodeJob) {
    if (this.down) throw new Error('topic unavailable');
    this.jobs.push(job);
    if (!this.hold) await sendCodeJob(job, jobDeps());
  }
}

/** The follower notes (customer-service messages) the job hands to the wechat-replies queue. */
class FakeNotes {
  told: Array<{ openid: string; accountId: string; key: string; text: string }> = [];
  down = false;
  async tell(follower: { openid: string; accountId: string }, key: string, text: string) {
    if (this.down) throw new Error('topic unavailable');
    this.told.push({ ...follower, key, text });
  }
}

const vehicle = (phone: VehicleRecord['phone']): VehicleRecord => ({
  type: 'vehicle',
  subject: vehicleKey(pepper, plate),
  plate,
  plateType: '02',
  vin: sealProof(pepper, '184952'),
  phone,
  asOf: '2026-11-16T08:00:00+08:00',
  eventId: 'veh-1',
});
const PHONE = { id: 'phone-id-1', sealed: 'sealed', masked: '+86 138****8000' };

let clock: MovableClock;
let ownerships: MemoryOwnerships;
let codes: MemoryCodes;
let sms: FakeSms;
let jobs: FakeJobs;
let notes: FakeNotes;
let metrics: string[];
let logs: string[];
let vehicles: VehicleRecord[];
let licences: LicenceRecord[];
let tally: string[];
let codeCounter: number;

function deps(o: { enabled?: boolean } = {}): DeskDeps {
  return {
    records: {
      vehicle: async (s) => vehicles.filter((v) => v.subject.key === s.key),
      licence: async (s) => licences.find((l) => l.subject.key === s.key),
      violations: async () => [],
      points: async () => undefined,
      due: async () => [],
    },
    ownerships,
    tally: { count: async (_w, outcome) => void tally.push(outcome) },
    clock,
    pepper,
    settings: {
      followerAttempts: 5,
      subjectAttempts: 20,
      retentionDays: 400,
      smsCode: { enabled: o.enabled ?? true, minutes: 10, perDay: 3 },
    },
    sms: { codes, jobs, newCode: () => String(123450 + codeCounter++) },
  };
}
function jobDeps(): CodeJobDeps {
  return {
    codes,
    sender: sms,
    followers: notes,
    clock,
    log: (_level, message, details) => void logs.push(`${message} ${JSON.stringify(details)}`),
    metric: (name) => void metrics.push(name),
  };
}
const bound = [plate];
const ask = (ref = alice, d = deps()) => requestCode(ref, 'dev', { kind: 'plate', plate, bound }, d);
const answer = (code: string, ref = alice, d = deps()) => confirmCode(ref, 'dev', { code, bound }, d);

beforeEach(() => {
  clock = new MovableClock();
  ownerships = new MemoryOwnerships();
  codes = new MemoryCodes();
  sms = new FakeSms();
  jobs = new FakeJobs();
  notes = new FakeNotes();
  metrics = [];
  logs = [];
  vehicles = [vehicle(PHONE)];
  licences = [];
  tally = [];
  codeCounter = 0;
});

describe('asking for a code', () => {
  it('is refused with the VIN way where the deployment has not enabled it (the default)', async () => {
    const desk = driverDesk(deps({ enabled: false }));
    const reply = await desk.requestCode(alice, 'dev', { kind: 'plate', plate, bound });
    expect(reply).toBe('本号暂未开通短信验证，请发送“验证 京A12345 车架号后6位”（车架号见行驶证）验证。');
    expect(await desk.confirmCode(alice, 'dev', { code: '123456', bound })).toContain('未开通短信验证');
    // No settings at all (a function without the SMS way): the same.
    const { smsCode: _, ...noSms } = deps().settings;
    expect(
      (await requestCode(alice, 'dev', { kind: 'plate', plate, bound }, { ...deps(), settings: noSms }))
        .outcome,
    ).toBe('disabled');
    expect(sms.sent).toEqual([]);
  });

  it('hands a fresh code to the queue for the registered phone, kept only as its keyed hash, and says where by the last 4 digits', async () => {
    jobs.hold = true;
    const reply = await driverDesk(deps()).requestCode(alice, 'dev', { kind: 'plate', plate, bound });
    // The webhook cannot know the SMS's outcome: it says the code is on its way, and what else to do.
    expect(reply).toBe(
      '验证码正在发送至车辆 京A12345 登记的尾号8000的手机，10分钟内有效，收到后请发送“验证码 6位数字”完成验证。如未收到，可1分钟后重新发送“验证 京A12345 短信”，或发送“验证 京A12345 车架号后6位”（车架号见行驶证）验证。',
    );
    expect(reply).not.toContain('138');
    expect(sms.sent).toEqual([]);
    // The job: what deliverSms needs, who to tell if it is blocked, the code's hash to withdraw it by.
    expect(jobs.jobs).toEqual([
      {
        phoneId: 'phone-id-1',
        pushKey: expect.stringMatching(/^driver-code#[0-9a-f]{24}$/),
        values: { code: '123450', subject: '车辆京A12345', minutes: '10' },
        follower: { channel: 'wechat', id: 'o-alice', accountId: 'dev' },
        kind: 'plate',
        hash: codes.pendingBy.get(alice.id)!.hash,
      },
    ]);
    expect(JSON.stringify(jobs.jobs)).not.toContain('138');
    expect(await sendCodeJob(jobs.jobs[0]!, jobDeps())).toBe('sent');
    expect(metrics).toEqual(['DriverCodesSent']);
    expect(sms.sent).toHaveLength(1);
    expect(sms.sent[0]).toMatchObject({
      phoneId: 'phone-id-1',
      values: { code: '123450', subject: '车辆京A12345', minutes: '10' },
    });
    expect(sms.sent[0]!.pushKey).toMatch(/^driver-code#[0-9a-f]{24}$/);
    const stored = codes.pendingBy.get(alice.id)!;
    expect(JSON.stringify(stored)).not.toContain('123450');
    expect(stored).toMatchObject({ display: plate, subject: vehicleKey(pepper, plate) });
    expect(stored.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('needs the plate bound first, and says so when it is verified already or locked', async () => {
    expect((await requestCode(alice, 'dev', { kind: 'plate', plate, bound: [] }, deps())).outcome).toBe(
      'not-bound',
    );
    for (let i = 0; i < 5; i++) await verifyPlate(alice, 'dev', { plate, vinLast6: '000000', bound }, deps());
    expect((await ask()).outcome).toBe('locked');
    expect(await verifyPlate(bob, 'dev', { plate, vinLast6: '184952', bound }, deps())).toMatchObject({
      outcome: 'verified',
    });
    expect((await ask(bob)).outcome).toBe('already');
    expect(sms.sent).toEqual([]);
  });

  it('answers alike for no record and a record without a phone, and counts the request either way', async () => {
    vehicles = [];
    const none = await driverDesk(deps()).requestCode(alice, 'dev', { kind: 'plate', plate, bound });
    clock.advance(60_000);
    vehicles = [vehicle(null)];
    const noPhone = await driverDesk(deps()).requestCode(alice, 'dev', { kind: 'plate', plate, bound });
    expect(none).toBe(noPhone);
    expect(none).toBe('该车辆暂不能通过短信验证，请发送“验证 京A12345 车架号后6位”（车架号见行驶证）验证。');
    expect(sms.sent).toEqual([]);
    // The two requests were counted: one more is the day's last.
    clock.advance(60_000);
    vehicles = [vehicle(PHONE)];
    expect((await ask()).outcome).toBe('sending');
    clock.advance(60_000);
    expect((await ask()).outcome).toBe('daily-limit');
  });

  it('sends at most one a minute to a follower and a few a day per follower and per plate', async () => {
    expect((await ask()).outcome).toBe('sending');
    clock.advance(59_000);
    expect(await driverDesk(deps()).requestCode(alice, 'dev', { kind: 'plate', plate, bound })).toBe(
      '验证码发送过于频繁，请1分钟后再试。',
    );
    clock.advance(1_000);
    expect((await ask()).outcome).toBe('sending');
    clock.advance(60_000);
    expect((await ask()).outcome).toBe('sending');
    clock.advance(60_000);
    expect(await driverDesk(deps()).requestCode(alice, 'dev', { kind: 'plate', plate, bound })).toContain(
      '今天获取验证码的次数已用完（每天 3 次）',
    );
    // Another follower asking for the same plate: its day's codes are spent too.
    expect((await ask(bob)).outcome).toBe('daily-limit');
    expect(sms.sent).toHaveLength(3);
    // Tomorrow (Asia/Shanghai) again.
    clock.advance(24 * 3_600_000);
    expect((await ask(bob)).outcome).toBe('sending');
  });

  it('withdraws the code and tells the follower in WeChat when the job finds the send blocked (budget, caps, the number refused)', async () => {
    sms.outcome = 'budget';
    // The webhook's reply stays true: the code is being sent (the job runs after it).
    expect((await ask()).outcome).toBe('sending');
    expect(codes.pendingBy.size).toBe(0);
    expect((await answer(sms.code)).result.outcome).toBe('no-code');
    expect(notes.told).toEqual([
      {
        openid: 'o-alice',
        accountId: 'dev',
        key: `${jobs.jobs[0]!.pushKey}#blocked`,
        text: '验证码未能发送：本月短信验证额度已用完，刚才的验证码已作废。请发送“验证 京A12345 车架号后6位”（车架号见行驶证）验证。',
      },
    ]);
    expect(metrics).toEqual(['DriverCodesBlocked']);
    clock.advance(60_000);
    sms.outcome = 'capped';
    await ask();
    expect(notes.told[1]!.text).toBe(
      '验证码未能发送：今天发送到该手机的短信已达上限，刚才的验证码已作废。请明天再试，或发送“验证 京A12345 车架号后6位”（车架号见行驶证）验证。',
    );
    clock.advance(60_000);
    sms.outcome = 'refused';
    await ask();
    expect(notes.told[2]!.text).toContain('短信暂时无法送达该手机，刚才的验证码已作废。请稍后再试');
    expect(codes.pendingBy.size).toBe(0);
    // Nothing personal in what the job logs: no code, phone or plate.
    expect(JSON.stringify(logs)).not.toMatch(/12345[0-9]|138|京A/);
  });

  it('counts a blocked send whose note cannot be handed on, and still withdraws the code', async () => {
    sms.outcome = 'budget';
    notes.down = true;
    await ask();
    expect(codes.pendingBy.size).toBe(0);
    expect(metrics).toEqual(['DriverCodesBlocked', 'DriverCodeNotesFailed']);
    expect(JSON.stringify(logs)).not.toMatch(/123450|o-alice|京A/);
  });

  it('sends nothing for a code withdrawn or replaced before its job ran, and neither withdraws nor tells on a second delivery', async () => {
    jobs.hold = true;
    await ask();
    clock.advance(60_000);
    await ask();
    const [first, second] = jobs.jobs;
    // The first code was replaced by the second: its job sends nothing.
    expect(await sendCodeJob(first!, jobDeps())).toBe('withdrawn');
    expect(sms.sent).toEqual([]);
    // A second delivery of the job the ledger already holds: nothing sent again, the code stays.
    sms.outcome = 'duplicate';
    expect(await sendCodeJob(second!, jobDeps())).toBe('duplicate');
    expect(codes.pendingBy.get(alice.id)?.hash).toBe(second!.hash);
    expect(notes.told).toEqual([]);
    // Expired before its job ran: not sent.
    sms.outcome = 'sent';
    clock.advance(10 * 60_000);
    expect(await sendCodeJob(second!, jobDeps())).toBe('withdrawn');
    expect(sms.sent).toHaveLength(1); // only the duplicate's call reached the sender
  });

  it('withdraws the code and says so when the job cannot be handed to the queue', async () => {
    jobs.down = true;
    expect(await driverDesk(deps()).requestCode(alice, 'dev', { kind: 'plate', plate, bound })).toBe(
      '短信暂时未能发送，请稍后再试，或发送“验证 京A12345 车架号后6位”（车架号见行驶证）验证。',
    );
    expect(codes.pendingBy.size).toBe(0);
  });

  it('does the same for a licence, by its registered phone', async () => {
    licences = [
      {
        type: 'licence',
        subject: licenceKey(pepper, licence),
        masked: '1101**********1234',
        file: sealProof(pepper, '110000123456'),
        phone: { id: 'phone-id-2', sealed: 's', masked: '+86 139****0001' },
        asOf: '2026-11-16T08:00:00+08:00',
        eventId: 'lic-1',
      },
    ];
    const desk = driverDesk(deps());
    expect(await desk.requestCode(alice, 'dev', { kind: 'licence', licenceNumber: licence })).toContain(
      '驾驶证 1101**********1234 登记的尾号0001的手机',
    );
    expect(sms.sent[0]).toMatchObject({
      phoneId: 'phone-id-2',
      values: { subject: '驾驶证1101**********1234' },
    });
    expect(await desk.confirmCode(alice, 'dev', { code: sms.code, bound: [] })).toContain(
      '验证成功：驾驶证 1101**********1234',
    );
  });
});

describe('sending the code back', () => {
  it('verifies ownership as the VIN does, once: the code is consumed', async () => {
    await ask();
    const desk = driverDesk(deps());
    expect(await desk.confirmCode(alice, 'dev', { code: sms.code, bound })).toContain(
      '验证成功：车辆 京A12345 的违法、记分、年检等提醒将发送给您',
    );
    const [owner] = [...ownerships.owners.values()];
    expect(owner).toMatchObject({
      owner: { channel: 'wechat', id: 'o-alice', account: 'dev', method: 'sms-code' },
      subject: vehicleKey(pepper, plate),
      display: plate,
    });
    expect(tally).toEqual(['attempts', 'verified']);
    expect((await answer(sms.code)).result.outcome).toBe('no-code');
  });

  it('is bound to the follower who asked: another follower’s same digits find no code', async () => {
    await ask();
    expect((await answer(sms.code, bob)).result.outcome).toBe('no-code');
    // Even a code copied into another follower's pending slot does not match (the hash binds the follower).
    codes.pendingBy.set(bob.id, codes.pendingBy.get(alice.id)!);
    expect((await answer(sms.code, bob)).result).toEqual({ outcome: 'wrong', left: 4 });
    expect((await answer(sms.code)).result.outcome).toBe('verified');
  });

  it('expires after DRIVER_SMS_CODE_MINUTES', async () => {
    await ask();
    clock.advance(10 * 60_000 - 1);
    const code = sms.code;
    clock.advance(1);
    expect(await driverDesk(deps()).confirmCode(alice, 'dev', { code, bound })).toContain('验证码已过期');
    expect(ownerships.owners.size).toBe(0);
  });

  it('counts wrong codes against the VIN path’s own limits, and a new code replaces the old one', async () => {
    await ask();
    const desk = driverDesk(deps());
    expect(await desk.confirmCode(alice, 'dev', { code: '000000', bound })).toBe(
      '验证码不正确（今天还可尝试 4 次），请核对短信后重新发送“验证码 6位数字”。',
    );
    // Wrong VINs and wrong codes are the same day's attempts.
    await verifyPlate(alice, 'dev', { plate, vinLast6: '000000', bound }, deps());
    clock.advance(60_000);
    await ask();
    const first = sms.sent[0]!.values.code!;
    expect((await answer(first)).result).toEqual({ outcome: 'wrong', left: 2 });
    expect((await answer('999999')).result).toEqual({ outcome: 'wrong', left: 1 });
    expect((await answer('999998')).result).toEqual({ outcome: 'locked' });
    // Locked for the day: even the right code is refused, and no new code is sent.
    expect(await desk.confirmCode(alice, 'dev', { code: sms.code, bound })).toContain('今天的验证次数已用完');
    clock.advance(60_000);
    expect((await ask()).outcome).toBe('locked');
    expect(ownerships.owners.size).toBe(0);
  });

  it('is not accepted for a plate unbound since the code was sent', async () => {
    await ask();
    expect((await confirmCode(alice, 'dev', { code: sms.code, bound: [] }, deps())).result.outcome).toBe(
      'not-bound',
    );
  });
});

describe('the intents', () => {
  const intent = (text: string) => parseIntent(text, []);
  it('read 验证 … 短信 and 验证码 … apart from a VIN’s last 6 (which may be digits only)', () => {
    expect(intent('验证 京A12345 短信')).toEqual({ type: 'verify-by-sms', plate: '京A12345', licence: null });
    expect(intent('验证京A12345短信验证')).toEqual({
      type: 'verify-by-sms',
      plate: '京A12345',
      licence: null,
    });
    expect(intent('验证驾驶证 110101199001011234 短信')).toEqual({
      type: 'verify-by-sms',
      plate: null,
      licence: '110101199001011234',
    });
    expect(intent('验证码 123456')).toEqual({ type: 'verify-code', code: '123456' });
    expect(intent('验证码：１２３４５６')).toEqual({ type: 'verify-code', code: '123456' });
    expect(intent('验证码')).toEqual({ type: 'verify-code', code: null });
    expect(intent('验证 京A12345 123456')).toEqual({
      type: 'verify-plate',
      plate: '京A12345',
      proof: '123456',
    });
  });
});
