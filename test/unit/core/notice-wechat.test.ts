/**
 * A notice is checked against each account's typed template at approval, at publication and at
 * preview — with the notice's own values — so what cannot be sent is refused there, with the key
 * and the reason, and never meets WeChat's 47003; the preview shows each account's keys as a
 * follower would see them, and which accounts send it as a mass send.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../../functions/core/errors.ts';
import { previewNoticeById } from '../../../functions/core/notices/preview.ts';
import { weChatSending } from '../../../functions/core/notices/wechat-sending.ts';
import {
  draftNotice,
  moveNotice,
  type NoticeStore,
  type NoticeWorkflowDeps,
} from '../../../functions/core/notices/workflow.ts';
import { fixedClock } from '../../../functions/core/time.ts';
import { NOTICE_KIND_LABELS } from '../../../functions/core/wechat/placeholders.ts';
import smsTemplates from '../../../schemas/data/sms-templates.json' with { type: 'json' };
import { NewNoticeSchema, type Notice, type NoticeFields } from '../../../schemas/notices.ts';
import { DEFAULT_POLICY } from '../../../schemas/pushes.ts';
import { SmsCatalogueSchema } from '../../../schemas/sms.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { ACCOUNT_DEFAULTS, v1Account } from '../../fixtures/wechat.ts';

const catalogue = SmsCatalogueSchema.parse(smsTemplates);
const clock = fixedClock('2026-11-16T02:00:00Z');
const editor = { sub: 'ed', roles: ['editor'] };
const reviewer = { sub: 'rev', roles: ['reviewer'] };

const typed = (over: Partial<WeChatAccount> = {}): WeChatAccount =>
  v1Account({
    ...ACCOUNT_DEFAULTS,
    id: 'dev',
    pageBaseUrl: 'https://wx.example.gov.cn',
    templates: {
      notice: {
        id: 'tpl-typed',
        fields: { thing1: '{title}', time2: '{window}', thing3: '{areas|全市}', const4: '{kind}' },
        url: 'notice-page',
        // Declared for two kinds only: a rumour rebuttal cannot be sent with this template.
        consts: { const4: ['交通管制', '路况'] },
      },
    },
    ...over,
  });

const fields = (over: Partial<NoticeFields> = {}): NoticeFields =>
  NewNoticeSchema.parse({
    kind: 'traffic-control',
    title: '长安街临时交通管制',
    body: '因重大活动，长安街实行临时交通管制，请绕行。',
    shortBody: '长安街管制，请绕行',
    city: 'beijing',
    areas: ['长安街'],
    effectiveFrom: '2026-11-16T06:00:00Z',
    effectiveTo: '2026-11-16T10:00:00Z',
    channels: ['feed', 'wechat'],
    audience: { type: 'bound-in-city' },
    ...over,
  });

class MemoryStore implements NoticeStore {
  readonly notices = new Map<string, Notice>();
  async get(id: string) {
    return structuredClone(this.notices.get(id));
  }
  async list() {
    return [...this.notices.values()];
  }
  async save(next: Notice, expectedVersion: number) {
    if ((this.notices.get(next.id)?.version ?? 0) !== expectedVersion) throw new ConflictError('moved', {});
    const stored = { ...structuredClone(next), version: expectedVersion + 1 };
    this.notices.set(next.id, stored);
    return structuredClone(stored);
  }
}

function workflow(accounts: WeChatAccount[]) {
  const store = new MemoryStore();
  let ids = 0;
  const deps: NoticeWorkflowDeps = {
    store,
    clock,
    newId: () => `00000000-0000-4000-8000-00000000000${++ids}`,
    restrictions: async () => {
      throw new Error('unused');
    },
    accounts: async () => accounts,
    announce: async () => {},
    sms: { catalogue, maxParts: 3 },
    stopPush: async () => {},
    publishSchedules: { create: async () => {}, remove: async () => {} },
  };
  return { store, deps };
}

async function inReview(w: ReturnType<typeof workflow>, over: Partial<NoticeFields> = {}) {
  const n = await draftNotice(fields(over), editor, w.deps);
  return moveNotice(n.id, 'submit', editor, w.deps);
}

describe('approval and preview check the notice against each account’s typed template', () => {
  it('approves a notice the template can carry; refuses one whose kind is not a declared const value', async () => {
    const w = workflow([typed()]);
    const ok = await inReview(w);
    expect((await moveNotice(ok.id, 'approve', reviewer, w.deps)).status).toBe('approved');

    const rebuttal = await inReview(w, { kind: 'rumour-rebuttal', title: '网传限行调整不实' });
    const refusal = await moveNotice(rebuttal.id, 'approve', reviewer, w.deps).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ValidationError);
    expect((refusal as Error).message).toMatch(
      /WeChat account 'dev' template tpl-typed: const4: "辟谣" is not one of the declared values \(交通管制, 路况\)/,
    );
    expect((await w.store.get(rebuttal.id))?.status).toBe('in-review'); // nothing saved
  });

  it('refuses a title with nothing WeChat can show, at approval and at publication', async () => {
    const emergency = { ...typed().templates, emergency: typed().templates.notice! };
    const w = workflow([typed({ templates: emergency })]);
    const routine = await inReview(w, { title: '🚧🚧🚧' });
    await expect(moveNotice(routine.id, 'approve', reviewer, w.deps)).rejects.toThrow(
      /thing1: nothing WeChat can show/,
    );
    // An emergency published straight from review is checked as it is published.
    const urgent = await inReview(w, { title: '🚧🚧🚧', priority: 'emergency' });
    await expect(moveNotice(urgent.id, 'publish', reviewer, w.deps)).rejects.toThrow(
      /thing1: nothing WeChat can show/,
    );
    expect((await w.store.get(urgent.id))?.status).toBe('in-review');
  });

  it('the preview refuses the same notice, and otherwise shows each account’s keys and url as sent', async () => {
    const w = workflow([typed(), { ...typed({ id: 'officers', audience: 'internal' }) }]);
    const n = await draftNotice(fields(), editor, w.deps);
    const rebuttal = await draftNotice(fields({ kind: 'rumour-rebuttal' }), editor, w.deps);
    const deps = {
      notice: (id: string) => w.store.get(id),
      accounts: async () => [typed()],
      census: async () => [],
      ledgerCounts: async () => new Map(),
      policy: async () => DEFAULT_POLICY,
      cityName: async () => '北京',
      clock,
      sms: { catalogue, maxParts: 3 },
    };
    await expect(previewNoticeById(rebuttal.id, deps)).rejects.toThrow(
      /const4: "辟谣" is not one of the declared values/,
    );
    const preview = await previewNoticeById(n.id, deps);
    expect(preview.wechat).toEqual({
      values: {
        thing1: '长安街临时交通管制',
        time2: '2026年11月16日 14:00~18:00',
        thing3: '长安街',
        const4: NOTICE_KIND_LABELS['traffic-control'],
      },
      accounts: [
        {
          account: 'dev',
          via: 'template',
          templateId: 'tpl-typed',
          values: expect.objectContaining({ thing1: '长安街临时交通管制' }),
          url: `https://wx.example.gov.cn/n/${n.id}`,
        },
      ],
    });
  });

  it('an account that cannot send template messages needs a mass send; one that can, a template', () => {
    const internal = fields({ audience: { type: 'internal' }, channels: ['wechat'] });
    const n = { ...internal, id: 'n', publishedAt: null } as unknown as Notice;
    const officers = typed({ id: 'officers', audience: 'internal', kind: 'subscription', templates: {} });
    expect(weChatSending(n, [officers]).problems).toEqual([
      "WeChat account 'officers' cannot send template messages and has no mass send configured (massSend.thumbMediaId)",
    ]);
    const configured = {
      ...officers,
      massSend: { thumbMediaId: 'm', tagId: null, dailyAllowance: 1, author: null },
    };
    expect(weChatSending(n, [configured])).toEqual({
      problems: [],
      sendings: [{ account: 'officers', via: 'mass-send', templateId: null, values: null, url: null }],
    });
  });
});

describe('an officers-only notice', () => {
  it('links nowhere: it has no public page', () => {
    const internal = fields({ audience: { type: 'internal' }, channels: ['wechat'] });
    const n = {
      ...internal,
      id: '00000000-0000-4000-8000-000000000009',
      publishedAt: null,
    } as unknown as Notice;
    const officers = typed({ id: 'officers', audience: 'internal' });
    expect(weChatSending(n, [officers]).sendings).toEqual([
      expect.objectContaining({ account: 'officers', via: 'template', url: null }),
    ]);
    const pub = { ...n, audience: { type: 'bound-in-city' as const } };
    expect(weChatSending(pub, [typed()]).sendings[0]!.url).toBe(`https://wx.example.gov.cn/n/${n.id}`);
  });
});
