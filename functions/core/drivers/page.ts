/**
 * A driver notice's personal page (GET /d/{token}): what the template message links to, for the
 * person it was sent to. The link is signed and expiring (./page-token.ts); behind it the notice's
 * details — a violation's time, place, act, fine, points and state with links to the platform's
 * photos (never the photos themselves, never in the message), the points of the cycle, a due date —
 * and the 12123 hand-off. Server-rendered Chinese, no script, every text escaped, the notice pages'
 * strict Content-Security-Policy; never cached (it is personal).
 */
import { chineseMinute, escapeHtml, etagOf, STYLE } from '../notices/page.ts';
import type { Clock } from '../time.ts';
import { daysBetween, today } from '../time.ts';
import { TITLES, whenDue } from './notices.ts';
import { verifyPageToken } from './page-token.ts';
import type { DriverRecords } from './ports.ts';
import type { Subject } from './subjects.ts';

export interface DriverPageDeps {
  records: Pick<DriverRecords, 'violation' | 'points' | 'due'>;
  pageKey: () => Promise<Buffer>;
  clock: Clock;
}

export type DriverPage = { status: 200 | 404 | 410; html: string; etag: string };

const STATES = { unprocessed: '未处理', processed: '已处理', paid: '已缴款' } as const;

function shell(title: string, main: string): string {
  return [
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="format-detection" content="telephone=no"><meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>`,
    main,
    '<footer>公安交通管理部门 · 缴款、处理、预约请使用“交管12123”App</footer></main></body></html>',
  ].join('');
}

const facts = (rows: ReadonlyArray<readonly [string, string]>) =>
  `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;

const page = (status: DriverPage['status'], html: string): DriverPage => ({
  status,
  html,
  etag: etagOf(html),
});

const gone = (title: string, text: string, status: 404 | 410) =>
  page(status, shell(title, `<h1>${escapeHtml(title)}</h1><p class="meta">${escapeHtml(text)}</p>`));

const fmtDate = (date: string) => {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
};

export async function driverPage(token: string, deps: DriverPageDeps): Promise<DriverPage> {
  const check = verifyPageToken(await deps.pageKey(), token, deps.clock.now().getTime());
  if (!check.ok)
    return check.reason === 'expired'
      ? gone('链接已过期', '为保护个人信息，提醒中的链接只在一段时间内有效。请通过“交管12123”App查询。', 410)
      : gone('页面不存在', '链接不完整或已失效。请通过“交管12123”App查询。', 404);
  const { k: kind, s, r } = check.payload;
  const day = today(deps.clock);
  const vehicle: Subject = { type: 'vehicle', key: s };
  const licence: Subject = { type: 'licence', key: s };
  const missing = () =>
    gone('信息已不在本系统', '该信息已按规定期限删除或已更新，请通过“交管12123”App查询。', 404);
  if (kind === 'violation') {
    const v = await deps.records.violation(vehicle, r);
    if (!v) return missing();
    const photos = v.photos.length
      ? `<p>现场照片：${v.photos
          .map((url, i) => `<a href="${escapeHtml(url)}" rel="noreferrer noopener">照片${i + 1}</a>`)
          .join('　')}</p>`
      : '';
    return page(
      200,
      shell(
        TITLES.violation,
        `<p class="kind">违法</p><h1>${escapeHtml(TITLES.violation)}</h1>${facts([
          ['号牌', v.plate],
          ['时间', chineseMinute(v.time)],
          ['地点', v.place],
          ['违法行为', v.act],
          ['罚款', `${v.fineYuan} 元`],
          ['记分', `${v.points} 分`],
          ['状态', STATES[v.state]],
        ])}${photos}<div class="body"><p>请在15日内通过“交管12123”App或到违法处理窗口接受处理。对记录有异议的，可在处理时提出。</p></div>`,
      ),
    );
  }
  if (kind === 'points') {
    const p = await deps.records.points(licence);
    if (!p) return missing();
    return page(
      200,
      shell(
        TITLES.points,
        `<p class="kind">记分</p><h1>${escapeHtml(TITLES.points)}</h1>${facts([
          ['驾驶证', p.masked],
          ['本周期记分', `${p.points} 分（满分 12 分）`],
          ...(p.cycleEnd ? ([['周期至', fmtDate(p.cycleEnd)]] as const) : []),
        ])}<div class="body"><p>一个记分周期内累积记满12分的，须参加满分学习和考试。可通过“交管12123”App参加学法减分。</p></div>`,
      ),
    );
  }
  const subject = kind === 'licence-renewal' ? licence : vehicle;
  const d = (await deps.records.due(subject)).find((x) => x.kind === kind && x.dueDate === r);
  if (!d) return missing();
  const overdue = daysBetween(day, d.dueDate) < 0;
  return page(
    200,
    shell(
      TITLES[kind],
      `<p class="kind">${overdue ? '<span class="urgent">已逾期</span>' : '到期提醒'}</p><h1>${escapeHtml(TITLES[kind])}</h1>${facts(
        [
          [kind === 'licence-renewal' ? '驾驶证' : '号牌', d.display],
          ['到期日', fmtDate(d.dueDate)],
          ['距今', whenDue(d.dueDate, day)],
        ],
      )}<div class="body"><p>${escapeHtml(
        kind === 'inspection-due'
          ? '可在检验有效期满前3个月内申请检验；逾期未检验的车辆不得上道路行驶。'
          : kind === 'insurance-expiry'
            ? '请在交强险到期前续保；未按规定投保的车辆不得上道路行驶。'
            : '请在驾驶证有效期满前90日内申请换证。',
      )}</p></div>`,
    ),
  );
}
