/**
 * The notice use cases around scheduled publication, with an in-memory store that keeps versions as
 * the DynamoDB store does (save(next, expected) stores expected + 1, or ConflictError) and a
 * recording PublishSchedules: which version gets a one-off schedule, when it is removed, what a
 * schedule does when it fires, and how the sweep and the schedule share a notice without error.
 */
import { describe, expect, it } from 'vitest';
import { bestEffort } from '../../../functions/adapters/scheduler/publish-schedules.ts';
import { ConflictError } from '../../../functions/core/errors.ts';
import {
  draftNotice,
  moveNotice,
  type NoticeStore,
  type NoticeWorkflowDeps,
  ONE_OFF_SCHEDULE,
  type PublishSchedules,
  publishDueNotices,
  publishScheduledNotice,
  reviseNotice,
  SCHEDULER,
} from '../../../functions/core/notices/workflow.ts';
import smsTemplates from '../../../schemas/data/sms-templates.json' with { type: 'json' };
import { NewNoticeSchema, type Notice } from '../../../schemas/notices.ts';
import { SmsCatalogueSchema } from '../../../schemas/sms.ts';

class MemoryNoticeStore implements NoticeStore {
  readonly notices = new Map<string, Notice>();
  /** What list() returns instead of the truth, to play a lagging index. */
  stale: Notice[] | undefined;
  async get(id: string) {
    const n = this.notices.get(id);
    return n ? structuredClone(n) : undefined;
  }
  async list(query: { status?: Notice['status'] }) {
    const all = this.stale ?? [...this.notices.values()];
    return structuredClone(all.filter((n) => !query.status || n.status === query.status));
  }
  async save(next: Notice, expectedVersion: number) {
    if ((this.notices.get(next.id)?.version ?? 0) !== expectedVersion)
      throw new ConflictError('The notice moved meanwhile.', {});
    const stored = { ...structuredClone(next), version: expectedVersion + 1 };
    this.notices.set(next.id, stored);
    return structuredClone(stored);
  }
}

function setup() {
  let now = new Date('2026-11-21T02:00:00Z');
  const calls: string[] = [];
  const store = new MemoryNoticeStore();
  let ids = 0;
  const publishSchedules: PublishSchedules = {
    async create(n) {
      calls.push(`create ${n.id} v${n.version} ${n.publishAt}`);
    },
    async remove(n) {
      calls.push(`remove ${n.id} v${n.version}`);
    },
  };
  const deps: NoticeWorkflowDeps = {
    store,
    clock: { now: () => now },
    newId: () => `n${++ids}`,
    restrictions: async () => {
      throw new Error('no restriction changes here');
    },
    accounts: async () => [],
    announce: async () => {},
    sms: { catalogue: SmsCatalogueSchema.parse(smsTemplates), maxParts: 3 },
    stopPush: async () => {},
    publishSchedules,
  };
  return {
    deps,
    store,
    calls,
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

const editor = { sub: 'edna', roles: ['editor'] };
const reviewer = { sub: 'rex', roles: ['reviewer'] };
const fields = (publishAt: string | null) =>
  NewNoticeSchema.parse({
    kind: 'traffic-control',
    title: '长安街临时交通管制',
    body: '因重大活动，今天长安街实行临时交通管制，请提前绕行。',
    shortBody: '长安街临时交通管制，请绕行',
    city: 'beijing',
    effectiveFrom: '2026-11-21T00:00:00Z',
    channels: ['feed'],
    audience: { type: 'all-followers' },
    publishAt,
  });

async function approved(t: ReturnType<typeof setup>, publishAt = '2026-11-21T03:00:00Z') {
  const d = await draftNotice(fields(publishAt), editor, t.deps);
  await moveNotice(d.id, 'submit', editor, t.deps);
  return moveNotice(d.id, 'approve', reviewer, t.deps);
}

describe('one-off publish schedules', () => {
  it('approval schedules the approved version at its publishAt', async () => {
    const t = setup();
    const n = await approved(t);
    expect(n.version).toBe(3);
    expect(t.calls).toEqual([`create ${n.id} v3 2026-11-21T03:00:00Z`]);
  });

  it('no schedule when publishAt passed before approval; the sweep publishes it', async () => {
    const t = setup();
    const d = await draftNotice(fields('2026-11-21T02:30:00Z'), editor, t.deps);
    await moveNotice(d.id, 'submit', editor, t.deps);
    t.advance(3600_000);
    await moveNotice(d.id, 'approve', reviewer, t.deps);
    expect(t.calls).toEqual([]);
    expect(await publishDueNotices(t.deps, () => {})).toEqual([d.id]);
    expect(await t.store.get(d.id)).toMatchObject({ status: 'published', publishedBy: SCHEDULER.sub });
  });

  it('an edit after approval and an early publication remove the schedule of that version', async () => {
    const t = setup();
    const a = await approved(t);
    await reviseNotice(a.id, { version: a.version, title: '长安街交通管制（时间调整）' }, editor, t.deps);
    const b = await approved(t);
    await moveNotice(b.id, 'publish', reviewer, t.deps);
    expect(t.calls.filter((c) => c.startsWith('remove'))).toEqual([`remove ${a.id} v3`, `remove ${b.id} v3`]);
  });

  it('when it fires: publishes its version once it is due, never a version that moved on', async () => {
    const t = setup();
    const n = await approved(t);
    expect(await publishScheduledNotice({ noticeId: n.id, version: 3 }, t.deps)).toMatchObject({
      published: false,
      reason: expect.stringMatching(/not due/),
    });
    t.advance(3600_000);
    expect(await publishScheduledNotice({ noticeId: n.id, version: 2 }, t.deps)).toMatchObject({
      published: false,
      reason: expect.stringMatching(/approved at version 3; this schedule was for approved version 2/),
    });
    expect(await publishScheduledNotice({ noticeId: n.id, version: 3 }, t.deps)).toEqual({ published: true });
    expect(await t.store.get(n.id)).toMatchObject({ status: 'published', publishedBy: ONE_OFF_SCHEDULE.sub });
    // It deleted itself: publishing by the schedule removes nothing.
    expect(t.calls.some((c) => c.startsWith('remove'))).toBe(false);
    expect(await publishScheduledNotice({ noticeId: n.id, version: 3 }, t.deps)).toMatchObject({
      published: false,
    });
    expect(await publishScheduledNotice({ noticeId: 'ghost', version: 1 }, t.deps)).toMatchObject({
      published: false,
      reason: "no notice 'ghost'",
    });
  });

  it('the sweep and the schedule in the same minute: published once, and nobody reports a failure', async () => {
    const t = setup();
    const n = await approved(t);
    t.advance(3600_000);
    t.store.stale = [structuredClone((await t.store.get(n.id))!)]; // the sweep's list lags behind
    expect(await publishScheduledNotice({ noticeId: n.id, version: 3 }, t.deps)).toEqual({ published: true });
    const failures: string[] = [];
    expect(await publishDueNotices(t.deps, (id) => failures.push(id))).toEqual([]);
    expect(failures).toEqual([]);
    expect((await t.store.get(n.id))?.version).toBe(4);
  });

  it('best effort: a scheduler error is reported, never thrown into a committed approval', async () => {
    const reports: string[] = [];
    const failing = bestEffort(
      {
        create: async () => {
          throw new Error('ThrottlingException');
        },
        remove: async () => {
          throw new Error('AccessDenied');
        },
      },
      (what, id, error) => reports.push(`${what} ${id} ${(error as Error).message}`),
    );
    await failing.create({ id: 'n1', version: 3, publishAt: '2026-11-21T03:00:00Z' });
    await failing.remove({ id: 'n1', version: 3 });
    expect(reports).toEqual(['create n1 ThrottlingException', 'remove n1 AccessDenied']);
  });
});
