/**
 * The notice workflow as a state machine: every move from every status, who may not approve, edits
 * after approval, emergencies, and (fast-check) that any sequence of moves only ever takes a notice
 * along the allowed edges and every refusal lists exactly the moves allowed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../../../functions/core/errors.ts';
import type { CensusEntry } from '../../../functions/core/notices/audience.ts';
import {
  allowedActions,
  createNotice,
  editNotice,
  isDue,
  type NoticeAction,
  restrictionChangeOf,
  transition,
} from '../../../functions/core/notices/lifecycle.ts';
import { capSample, previewNotice } from '../../../functions/core/notices/preview.ts';
import { noticeSms, noticeTemplateValues } from '../../../functions/core/notices/rendering.ts';
import { missingTemplates } from '../../../functions/core/notices/workflow.ts';
import smsTemplates from '../../../schemas/data/sms-templates.json' with { type: 'json' };
import { NewNoticeSchema, type Notice, type NoticeFields } from '../../../schemas/notices.ts';
import { DEFAULT_POLICY } from '../../../schemas/pushes.ts';
import { SmsCatalogueSchema } from '../../../schemas/sms.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { ACCOUNT_DEFAULTS } from '../../fixtures/wechat.ts';

const catalogue = SmsCatalogueSchema.parse(smsTemplates);

const now = new Date('2026-11-16T02:00:00Z'); // 10:00 Shanghai
const editor = { sub: 'ed', roles: ['editor'] };
const reviewer = { sub: 'rev', roles: ['reviewer'] };
const fields = (over: Partial<NoticeFields> = {}): NoticeFields =>
  NewNoticeSchema.parse({
    kind: 'traffic-control',
    title: '长安街临时交通管制',
    body: '因重大活动，11月16日14:00至18:00长安街（建国门至复兴门）实行临时交通管制，请绕行。',
    shortBody: '今天14-18时长安街管制，请绕行',
    city: 'beijing',
    areas: ['长安街'],
    effectiveFrom: '2026-11-16T06:00:00Z',
    effectiveTo: '2026-11-16T10:00:00Z',
    channels: ['feed', 'wechat'],
    audience: { type: 'bound-in-city' },
    ...over,
  });
const draft = (over: Partial<NoticeFields> = {}) => createNotice(fields(over), editor, now, 'n1');
const moved = (n: Notice, ...actions: Array<Exclude<NoticeAction, 'edit'>>) =>
  actions.reduce((x, a) => transition(x, a, reviewer, now, 'reason'), n);

describe('the notice workflow', () => {
  it('goes draft → in-review → approved → published → withdrawn, recording who and when', () => {
    const n = draft();
    expect(n.status).toBe('draft');
    const inReview = transition(n, 'submit', editor, now);
    expect(inReview.status).toBe('in-review');
    const approved = transition(inReview, 'approve', reviewer, now);
    expect(approved).toMatchObject({ status: 'approved', approvedBy: 'rev' });
    const published = transition(approved, 'publish', reviewer, now);
    expect(published).toMatchObject({ status: 'published', publishedBy: 'rev', directPublish: false });
    const withdrawn = transition(published, 'withdraw', reviewer, now, 'wrong road');
    expect(withdrawn).toMatchObject({ status: 'withdrawn', withdrawal: { by: 'rev', reason: 'wrong road' } });
    expect(allowedActions(withdrawn)).toEqual([]);
  });

  it('rejection sends it back to draft with the reason', () => {
    const n = moved(draft(), 'submit');
    const rejected = transition(n, 'reject', reviewer, now, 'title unclear');
    expect(rejected).toMatchObject({ status: 'draft', rejection: { reason: 'title unclear', by: 'rev' } });
    expect(allowedActions(rejected)).toEqual(['edit', 'submit']);
  });

  it('refuses the author approving their own notice (403)', () => {
    const n = moved(draft(), 'submit');
    expect(() => transition(n, 'approve', { sub: 'ed', roles: ['editor', 'reviewer'] }, now)).toThrow(
      ForbiddenError,
    );
  });

  it('sends an approved notice back to review when it is edited', () => {
    const approved = moved(draft(), 'submit', 'approve');
    const edited = editNotice(approved, { title: '长安街交通管制（更新）' }, now);
    expect(edited).toMatchObject({ status: 'in-review', approvedBy: null, title: '长安街交通管制（更新）' });
    expect(editNotice(draft(), { title: 'x' }, now).status).toBe('draft');
  });

  it('four eyes: whoever edited the text may not approve it, even with the reviewer role', () => {
    const dual = { sub: 'dana', roles: ['editor', 'reviewer'] };
    const inReview = transition(draft(), 'submit', editor, now);
    const edited = editNotice(inReview, { body: '改写后的正文，请以此为准。' }, now, dual);
    expect(edited.editedBy).toEqual(['dana']);
    expect(() => transition(edited, 'approve', dual, now)).toThrow(ForbiddenError);
    expect(transition(edited, 'approve', reviewer, now).status).toBe('approved');
  });

  it('lets a reviewer publish an emergency directly, recorded as such; a routine draft is 409', () => {
    const emergency = draft({ priority: 'emergency' });
    const published = transition(emergency, 'publish', reviewer, now);
    expect(published).toMatchObject({ status: 'published', directPublish: true });
    expect(() => transition(draft(), 'publish', reviewer, now)).toThrow(ConflictError);
    // …but not their own emergency: someone else approves it by publishing it.
    expect(() => transition(emergency, 'publish', editor, now)).toThrow(ForbiddenError);
  });

  it('answers a disallowed move with 409 listing the allowed ones', () => {
    try {
      transition(draft(), 'approve', reviewer, now);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConflictError);
      expect((e as ConflictError).extensions).toEqual({
        currentStatus: 'draft',
        allowed: ['edit', 'submit'],
      });
    }
    const published = moved(draft(), 'submit', 'approve', 'publish');
    expect(() => editNotice(published, { title: 'x' }, now)).toThrow(ConflictError);
  });

  it('validates the window and the scheduled time', () => {
    expect(() =>
      draft({ effectiveFrom: '2026-11-16T10:00:00Z', effectiveTo: '2026-11-16T09:00:00Z' }),
    ).toThrow();
    expect(() => draft({ publishAt: '2026-11-16T01:00:00Z' })).toThrow(ValidationError);
    expect(() => editNotice(draft(), { effectiveTo: '2026-11-16T05:00:00Z' }, now)).toThrow(ValidationError);
    const scheduled = moved(draft({ publishAt: '2026-11-16T03:00:00Z' }), 'submit', 'approve');
    expect(isDue(scheduled, now)).toBe(false);
    expect(isDue(scheduled, new Date('2026-11-16T03:00:00Z'))).toBe(true);
  });

  it('only ever moves along the allowed edges, whatever the sequence (property)', () => {
    const actions: NoticeAction[] = ['edit', 'submit', 'approve', 'reject', 'publish', 'withdraw'];
    const edges = new Set([
      'draft>edit>draft',
      'draft>submit>in-review',
      'draft>publish>published',
      'in-review>edit>in-review',
      'in-review>approve>approved',
      'in-review>reject>draft',
      'in-review>publish>published',
      'approved>edit>in-review',
      'approved>publish>published',
      'published>withdraw>withdrawn',
    ]);
    fc.assert(
      fc.property(
        fc.constantFrom<'routine' | 'emergency'>('routine', 'emergency'),
        fc.array(fc.constantFrom(...actions), { maxLength: 12 }),
        (priority, seq) => {
          let n = draft({ priority });
          for (const a of seq) {
            const allowed = allowedActions(n);
            try {
              const next =
                a === 'edit' ? editNotice(n, { title: 't' }, now) : transition(n, a, reviewer, now, 'r');
              expect(allowed).toContain(a);
              expect(edges.has(`${n.status}>${a}>${next.status}`)).toBe(true);
              if (a === 'publish' && n.status !== 'approved') expect(next.directPublish).toBe(true);
              n = next;
            } catch (e) {
              expect(e).toBeInstanceOf(ConflictError);
              expect(allowed).not.toContain(a);
              expect((e as ConflictError).extensions.allowed).toEqual(allowed);
            }
          }
        },
      ),
    );
  });
});

describe('restriction changes', () => {
  const data = {
    rules: [{ city: 'beijing' }],
    suspensions: [
      {
        id: 'typhoon',
        city: 'beijing',
        from: '2026-11-16',
        to: null,
        reason: 'typhoon',
        noticeId: null,
        liftedOn: null,
        sources: [],
      },
    ],
  };
  it('turns a suspension into a new suspension record linked to the notice', () => {
    const n = draft({
      kind: 'restriction-change',
      restrictionChange: { type: 'suspension', from: '2026-11-17', to: '2026-11-18', reason: '暴雨' },
    });
    const c = restrictionChangeOf(n, n.restrictionChange!, data);
    expect(c.before).toBeNull();
    expect(c.after).toMatchObject({ city: 'beijing', from: '2026-11-17', to: '2026-11-18', noticeId: 'n1' });
  });
  it('turns a resumption into lifting the suspension; unknown ids are 400', () => {
    const n = draft({
      kind: 'restriction-change',
      restrictionChange: { type: 'resumption', suspensionId: 'typhoon', on: '2026-11-18' },
    });
    expect(restrictionChangeOf(n, n.restrictionChange!, data).after.liftedOn).toBe('2026-11-18');
    expect(() =>
      restrictionChangeOf(n, { type: 'resumption', suspensionId: 'nope', on: '2026-11-18' }, data),
    ).toThrow(ValidationError);
  });
  it('refuses a restriction change on another kind of notice', () => {
    expect(
      NewNoticeSchema.safeParse({
        ...fields(),
        restrictionChange: { type: 'resumption', suspensionId: 'typhoon', on: '2026-11-18' },
      }).success,
    ).toBe(false);
  });
});

describe('preview', () => {
  const account = (over: Partial<WeChatAccount>): WeChatAccount => ({
    ...ACCOUNT_DEFAULTS,
    id: 'dev',
    appId: 'wxd0e1f2a3b4c5d6e7',
    appSecret: 's',
    token: 'tok',
    encodingAesKey: 'a'.repeat(43),
    previousEncodingAesKey: null,
    mode: 'safe',
    templates: { notice: 'tpl' },
    defaultCity: 'beijing',
    audience: 'public',
    ...over,
  });
  const previewInput = (census: CensusEntry[]) => ({
    notice: draft(),
    census,
    accounts: [account({})],
    policy: DEFAULT_POLICY,
    sendAt: now,
    sms: { catalogue, maxParts: 3 },
    cityName: '北京',
  });

  it('names a missing template', () => {
    expect(missingTemplates(draft({ priority: 'emergency' }), [account({})])).toEqual([
      "WeChat account 'dev' has no 'emergency' template (templates.emergency)",
    ]);
    expect(
      missingTemplates(draft({ audience: { type: 'internal' }, channels: ['wechat'] }), [account({})])[0],
    ).toMatch(/no internal WeChat account/);
    expect(missingTemplates(draft({ channels: ['feed'] }), [])).toEqual([]);
  });

  it('cuts template values to 20 characters and bills SMS at 70, then 67 per part', () => {
    const values = noticeTemplateValues({
      ...draft(),
      title: '一二三四五六七八九十一二三四五六七八九十一二',
    });
    const window = (from: string, to: string | null) =>
      noticeTemplateValues({ ...draft(), effectiveFrom: from, effectiveTo: to }).keyword2;
    // The window fits WeChat's 20 characters: the end names only what differs from the start.
    expect(window('2026-11-23T01:50:00Z', '2026-11-23T06:00:00Z')).toBe('11月23日09:50至14:00');
    expect(window('2026-11-23T01:50:00Z', '2026-11-25T06:00:00Z')).toBe('11月23日09:50至25日14:00');
    expect(window('2026-11-23T01:50:00Z', null)).toBe('11月23日09:50起');
    expect([...values.keyword1]).toHaveLength(20);
    expect(values.keyword1.endsWith('…')).toBe(true);
    // The SMS as deliver-sms renders it: 【城市交警】{title}：{summary}回TD退订 = 12 + title + summary.
    const sms = (summary: number) =>
      noticeSms({ title: '管', shortBody: '字'.repeat(summary) }, catalogue, 3);
    expect(sms(57)).toMatchObject({ characters: 70, parts: 1, withinLimit: true });
    expect(sms(58).parts).toBe(2); // 71 → 2 × 67
    expect(sms(121).parts).toBe(2); // 134 = 2 × 67
    expect(sms(122).parts).toBe(3);
    expect(sms(188)).toMatchObject({ parts: 3, withinLimit: true }); // 201 = 3 × 67
    expect(sms(189)).toMatchObject({ parts: 4, withinLimit: false }); // over the deployment's 3 parts
    expect(sms(56).text).toBe(`【城市交警】管：${'字'.repeat(56)}回TD退订`);
  });

  it('counts the audience, the capped and the deferred, and says when nobody matches', () => {
    const census = [
      {
        channel: 'wechat' as const,
        id: 'a',
        account: 'dev',
        status: 'active',
        bindings: [{ city: 'beijing', tail: 1 }],
      },
      {
        channel: 'wechat' as const,
        id: 'b',
        account: 'dev',
        status: 'active',
        bindings: [{ city: 'beijing', tail: 2 }],
      },
      {
        channel: 'wechat' as const,
        id: 'c',
        account: 'dev',
        status: 'unfollowed',
        bindings: [{ city: 'beijing', tail: 3 }],
      },
      {
        channel: 'wechat' as const,
        id: 'd',
        account: 'dev',
        status: 'active',
        bindings: [{ city: 'xian', tail: 3 }],
      },
    ];
    const input = previewInput(census);
    const ledgers = new Map([
      [
        'wechat#b',
        { day: { restriction: 0, routine: 1, transactional: 0, emergency: 0, desk: 0 }, routineBefore: 0 },
      ],
    ]);
    const p = previewNotice(input, ledgers);
    expect(p.channels.wechat).toMatchObject({ audience: 2, wouldBe: { send: 1, capped: 1, deferred: 0 } });
    const night = previewNotice({ ...input, sendAt: new Date('2026-11-16T15:00:00Z') }, new Map());
    expect(night.channels.wechat?.wouldBe).toEqual({ send: 0, capped: 0, deferred: 2 });
    const nobody = previewNotice(
      { ...input, notice: draft({ audience: { type: 'tails', tails: [9] } }) },
      new Map(),
    );
    expect(nobody.audienceTotal).toBe(0);
    expect(nobody.note).toMatch(/No follower matches/);
    expect(p.channels.wechat?.capEstimate).toBeNull(); // every ledger read: exact
    // Without areas the place is the city as followers read it, as the send path fills it.
    const cityWide = previewNotice({ ...input, notice: draft({ areas: [] }) }, new Map());
    expect(Object.values(cityWide.wechat?.values ?? {})).toContain('北京');
    expect(JSON.stringify(cityWide.wechat?.values)).not.toContain('beijing');
  });

  it('estimates the cap from an even sample of a large audience, reading only the sample', () => {
    const census = Array.from({ length: 10_000 }, (_, i) => ({
      channel: 'wechat' as const,
      id: `s${i}`,
      account: 'dev',
      status: 'active',
      bindings: [{ city: 'beijing', tail: i % 10 }],
    }));
    const input = previewInput(census);
    const sample = capSample(census, 500);
    expect(sample).toHaveLength(500);
    expect(new Set(sample.map((m) => m.id)).size).toBe(500);
    // One in four of the sampled members already had today's routine push.
    const ledgers = new Map(
      sample
        .filter((_, i) => i % 4 === 0)
        .map((m) => [
          `wechat#${m.id}`,
          { day: { restriction: 0, routine: 1, transactional: 0, emergency: 0, desk: 0 }, routineBefore: 0 },
        ]),
    );
    const p = previewNotice(input, ledgers, 500);
    expect(p.channels.wechat).toMatchObject({
      audience: 10_000,
      wouldBe: { send: 7_500, capped: 2_500, deferred: 0 },
      capEstimate: { sampled: 500 },
    });
    expect(capSample(census.slice(0, 300), 500)).toHaveLength(300); // small audiences: everyone
  });
});
