/**
 * Driver notices in typed templates: a kind's own template (driverTemplates) may put what that kind
 * always has in typed keys — car_number, time, amount, number — and each value is made valid by its
 * type; the category's shared template cannot (a licence has no plate), and the link goes to the
 * personal page, never to the photo.
 */
import { describe, expect, it } from 'vitest';
import { dueNotice, violationNotice } from '../../../functions/core/drivers/notices.ts';
import { vehicleKey } from '../../../functions/core/drivers/subjects.ts';
import {
  accountTemplateProblems,
  renderTemplate,
  templateOf,
} from '../../../functions/core/wechat/templates.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { ACCOUNT_DEFAULTS } from '../../fixtures/wechat.ts';

const base: WeChatAccount = {
  ...ACCOUNT_DEFAULTS,
  id: 'dev',
  appId: 'wxd0e1f2a3b4c5d6e7',
  appSecret: 's',
  token: 't',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  previousEncodingAesKey: null,
  mode: 'safe',
  defaultCity: 'beijing',
  audience: 'public',
  pageBaseUrl: 'https://wx.jj.example.gov.cn',
  templates: {
    transactional: {
      id: 'tpl-own',
      fields: { thing1: '{title}', thing2: '{subject}', date3: '{date}', thing4: '{detail}' },
      url: 'personal-page',
      consts: {},
    },
  },
};
const account: WeChatAccount = {
  ...base,
  driverTemplates: {
    violation: {
      id: 'tpl-violation',
      fields: {
        car_number1: '{plate}',
        time2: '{time}',
        thing3: '{place}',
        thing4: '{detail}',
        amount5: '{fine}',
        number6: '{points}',
      },
      url: 'personal-page',
      consts: {},
    },
  },
};
const subject = vehicleKey(Buffer.alloc(32, 1), '京A12345');
const page = { key: Buffer.alloc(32, 2), expiresAt: 1_800_000_000 };
const violation = violationNotice(
  {
    type: 'violation',
    subject,
    asOf: '2026-11-16T08:00:00+08:00',
    eventId: 'e1',
    violationId: 'V1',
    plate: '京A12345',
    plateType: '02',
    time: '2026-11-15T23:05:00+08:00',
    place: '长安街与西单北大街交叉口',
    act: '驾驶机动车违反道路交通信号灯通行',
    fineYuan: 200,
    points: 6,
    photos: ['https://platform.example.gov.cn/p/1.jpg'],
    state: 'unprocessed',
  },
  page,
);

describe('driver notices in typed templates', () => {
  it('accepts a violation template with car_number, time, amount and number keys, and fills each as its type wants', () => {
    expect(accountTemplateProblems(account)).toEqual([]);
    const mapping = templateOf(account, 'transactional', violation.values)!;
    expect(mapping.id).toBe('tpl-violation');
    const rendered = renderTemplate(mapping, 'transactional', violation.values, account);
    expect(rendered).toMatchObject({
      ok: true,
      data: {
        car_number1: { value: '京A12345' },
        time2: { value: '2026年11月15日 23:05' },
        thing3: { value: '长安街与西单北大街交叉口' },
        thing4: { value: '驾驶机动车违反道路交通信号灯通行' },
        amount5: { value: '200元' },
        number6: { value: '6' },
      },
    });
    if (!rendered.ok) return;
    expect(rendered.url).toBe(`https://wx.jj.example.gov.cn/d/${violation.values.pageToken}`);
    expect(JSON.stringify(rendered)).not.toContain('platform.example.gov.cn');
  });

  it('sends other kinds through the category’s template, its values fitted (thing ≤ 20 characters)', () => {
    const due = dueNotice(
      {
        type: 'due',
        kind: 'inspection-due',
        subject,
        asOf: '2026-11-01T00:00:00Z',
        eventId: 'd1',
        display: '京A12345',
        dueDate: '2026-12-01',
      },
      7,
      '2026-11-24',
      page,
    );
    const mapping = templateOf(account, 'transactional', due.values)!;
    expect(mapping.id).toBe('tpl-own');
    const rendered = renderTemplate(mapping, 'transactional', due.values, account);
    expect(rendered).toMatchObject({
      ok: true,
      data: {
        thing1: { value: '机动车检验提醒' },
        thing2: { value: '京A12345' },
        date3: { value: '2026年12月1日' },
        thing4: { value: '机动车检验有效期至12月1日，还有7天' },
      },
    });
  });

  it('refuses typed keys a push might leave empty, and placeholders a kind does not have, when the account is loaded', () => {
    const shared: WeChatAccount = {
      ...base,
      templates: {
        transactional: {
          id: 't',
          fields: { car_number1: '{plate}', thing2: '{title}' },
          url: null,
          consts: {},
        },
      },
    };
    expect(accountTemplateProblems(shared).join('\n')).toMatch(
      /car_number1 "\{plate\}": \{plate\} may be absent for some pushes of transactional.*driverTemplates/,
    );
    const renewal: WeChatAccount = {
      ...base,
      driverTemplates: {
        'licence-renewal': {
          id: 't',
          fields: { car_number1: '{plate}', thing2: '{title}' },
          url: null,
          consts: {},
        },
      },
    };
    expect(accountTemplateProblems(renewal).join('\n')).toMatch(/driverTemplates\.licence-renewal: .*plate/);
  });
});
