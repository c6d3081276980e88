/** One year's days as a calendar: holidays, make-up workdays, weekends, days without data (coverage gaps). */
import { Tooltip } from 'antd';

export interface CalendarData {
  year: number;
  holidays: Array<{ name: string; from: string; to: string }>;
  makeUpWorkdays: Array<{ date: string; for: string }>;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
const COLORS = {
  holiday: { bg: '#ffccc7', label: '节假日' },
  makeup: { bg: '#ffe58f', label: '调休上班' },
  weekend: { bg: '#f0f0f0', label: '周末' },
  workday: { bg: '#ffffff', label: '工作日' },
  unknown: { bg: '#fff1b8', label: '无日历数据' },
} as const;

export function dayKind(
  date: string,
  cal: CalendarData | null,
): { kind: keyof typeof COLORS; name?: string } {
  if (!cal) return { kind: 'unknown' };
  const h = cal.holidays.find((x) => x.from <= date && date <= x.to);
  if (h) return { kind: 'holiday', name: h.name };
  const m = cal.makeUpWorkdays.find((x) => x.date === date);
  if (m) return { kind: 'makeup', name: m.for };
  const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
  return { kind: wd === 0 || wd === 6 ? 'weekend' : 'workday' };
}

export function YearCalendar({
  year,
  calendar,
  gaps,
  selected,
  onSelect,
}: {
  year: number;
  calendar: CalendarData | null;
  /** Dates some served city has no answer for. */
  gaps: ReadonlySet<string>;
  selected?: string;
  onSelect?: (date: string) => void;
}) {
  return (
    <div>
      <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap', marginBottom: 8 }}>
        {Object.values(COLORS).map((c) => (
          <span key={c.label}>
            <span
              style={{
                display: 'inline-block',
                width: 12,
                height: 12,
                background: c.bg,
                border: '1px solid #bbb',
                marginRight: 4,
              }}
            />
            {c.label}
          </span>
        ))}
        <span>
          <span
            style={{
              display: 'inline-block',
              width: 12,
              height: 12,
              border: '2px solid #cf1322',
              marginRight: 4,
            }}
          />
          数据缺口
        </span>
      </div>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(210px, 1fr))', gap: 12 }}>
        {Array.from({ length: 12 }, (_, m) => m).map((month) => {
          const first = new Date(Date.UTC(year, month, 1));
          const days = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
          const offset = (first.getUTCDay() + 6) % 7;
          return (
            <section key={month} aria-label={`${year}年${month + 1}月`}>
              <h3 style={{ fontSize: 14, margin: '0 0 4px' }}>{month + 1}月</h3>
              <div style={{ display: 'grid', gridTemplateColumns: 'repeat(7, 1fr)', gap: 2, fontSize: 12 }}>
                {['一', '二', '三', '四', '五', '六', '日'].map((d) => (
                  <span key={d} style={{ textAlign: 'center', color: '#595959' }}>
                    {d}
                  </span>
                ))}
                {Array.from({ length: offset }, (_, i) => `pad-${month}-${i}`).map((k) => (
                  <span key={k} />
                ))}
                {Array.from({ length: days }, (_, i) => iso(new Date(Date.UTC(year, month, i + 1)))).map(
                  (date) => {
                    const k = dayKind(date, calendar);
                    const gap = gaps.has(date);
                    const label = `${Number(date.slice(8))} 日，${date} ${COLORS[k.kind].label}${k.name ? `（${k.name}）` : ''}${gap ? '，数据缺口' : ''}`;
                    return (
                      <Tooltip key={date} title={label}>
                        <button
                          type="button"
                          aria-label={label}
                          aria-pressed={selected === date}
                          data-date={date}
                          onClick={() => onSelect?.(date)}
                          style={{
                            background: COLORS[k.kind].bg,
                            border: gap
                              ? '2px solid #cf1322'
                              : selected === date
                                ? '2px solid #1f4e9c'
                                : '1px solid #e8e8e8',
                            padding: 0,
                            height: 22,
                            cursor: 'pointer',
                            color: '#262626',
                            fontSize: 12,
                          }}
                        >
                          {Number(date.slice(8))}
                        </button>
                      </Tooltip>
                    );
                  },
                )}
              </div>
            </section>
          );
        })}
      </div>
    </div>
  );
}
