/**
 * 今日: what a duty officer checks first. Each card reads what the signed-in roles may read; the rest
 * is not shown (the API would refuse it anyway).
 */
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, List, Progress, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { civilDate } from '../../../functions/core/time.ts';
import { call } from '../api/client.ts';
import { useCan, useConsole } from '../app/context.tsx';
import {
  answersQuery,
  citiesQuery,
  firstRunsQuery,
  inReviewQuery,
  nextDay,
  quotaQuery,
  restrictionDataQuery,
  smsBudgetQuery,
} from '../app/queries.ts';
import { href } from '../app/router.ts';
import { Loaded } from '../components/Loaded.tsx';
import { city, fen, NOTICE_KIND, OUTCOME, REASON, RUN_STATUS, time } from '../lib/labels.ts';
import { runStatus } from '../lib/runs.ts';

function Answers() {
  const { api, config } = useConsole();
  const cities = useQuery(citiesQuery(api));
  const today = cities.data?.date;
  const tomorrow = today ? nextDay(today) : undefined;
  const ranges = useQuery(answersQuery(api, config.servedCities, today));
  return (
    <Card title="限行答复（今天 / 明天）">
      <Loaded query={ranges}>
        {(answers) => (
          <Table
            size="small"
            pagination={false}
            rowKey="city"
            dataSource={answers.map((a, i) => ({ city: config.servedCities[i]!, a }))}
            columns={[
              { title: '城市', dataIndex: 'city', render: city },
              ...[0, 1].map((d) => ({
                title: d === 0 ? `今天 ${today}` : `明天 ${tomorrow}`,
                key: String(d),
                render: (_: unknown, row: { a: (typeof answers)[number] }) => {
                  const day = 'days' in row.a ? row.a.days[d] : undefined;
                  if (!day) return '—';
                  const color =
                    day.status === 'restricted' ? 'red' : day.status === 'unknown' ? 'orange' : 'green';
                  return (
                    <Space>
                      <Tag color={color}>
                        {day.status === 'restricted'
                          ? `限行 ${day.tails.join('、')}`
                          : day.status === 'unknown'
                            ? '未知'
                            : '不限行'}
                      </Tag>
                      <span>{REASON[day.reason] ?? day.reason}</span>
                    </Space>
                  );
                },
              })),
            ]}
          />
        )}
      </Loaded>
    </Card>
  );
}

function TodayRuns() {
  const { api } = useConsole();
  const cities = useQuery(citiesQuery(api));
  const runs = useQuery({ ...firstRunsQuery(api), refetchInterval: 5_000 });
  const today = cities.data?.date;
  return (
    <Card title="今天的推送" extra={<a href={href('pushes')}>全部推送</a>}>
      <Loaded query={runs}>
        {(listing) => {
          // Runs for today's date, and runs started today (Asia/Shanghai) for another date.
          const mine = listing.runs.filter(
            (r) =>
              r.key.includes(`#${today}#`) ||
              (today !== undefined && civilDate(new Date(r.startedAt)) === today),
          );
          if (!mine.length) return <Typography.Text type="secondary">今天还没有推送。</Typography.Text>;
          return (
            <List
              dataSource={mine}
              renderItem={(r) => {
                const planned = r.counts.planned ?? 0;
                const settled = r.settled;
                const status = runStatus(r);
                const halts = Object.entries((r as { halts?: Record<string, string> }).halts ?? {});
                return (
                  <List.Item>
                    <Space direction="vertical" style={{ width: '100%' }}>
                      <Space wrap>
                        <a href={href(`pushes/${encodeURIComponent(r.key)}`)}>{r.key}</a>
                        <Tag color={RUN_STATUS[status]?.color}>{RUN_STATUS[status]?.text ?? status}</Tag>
                        {halts.map(([ch, why]) => (
                          <Tag color="error" key={ch}>
                            {ch} 已暂停：{why}
                          </Tag>
                        ))}
                      </Space>
                      <Progress
                        percent={
                          planned
                            ? Math.min(100, Math.round((settled / planned) * 100))
                            : status === 'skipped'
                              ? 0
                              : 100
                        }
                        size="small"
                        aria-label={`${r.key} 进度`}
                      />
                      <Space wrap size="small">
                        {['planned', 'sent', 'delivered', 'capped', 'deferred-quiet', 'failed'].map((k) => (
                          <span key={k}>
                            {OUTCOME[k]} {r.counts[k] ?? 0}
                          </span>
                        ))}
                      </Space>
                    </Space>
                  </List.Item>
                );
              }}
            />
          );
        }}
      </Loaded>
    </Card>
  );
}

function Alarms() {
  const { api } = useConsole();
  const can = useCan();
  const data = useQuery({ ...restrictionDataQuery(api), enabled: can('GET /v1/admin/restriction-data') });
  const budget = useQuery({ ...smsBudgetQuery(api), enabled: can('GET /v1/admin/sms/budget') });
  const quota = useQuery({ ...quotaQuery(api), enabled: can('GET /v1/admin/wechat/quota') });
  if (!can('GET /v1/admin/restriction-data')) return null;
  return (
    <Card title="需要人处理">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Loaded query={data} rows={2}>
          {(d) =>
            d.coverage.gaps.length ? (
              <Alert
                type="error"
                showIcon
                message={`未来 ${d.coverage.days} 天限行数据缺口`}
                description={
                  <ul style={{ margin: 0 }}>
                    {d.coverage.gaps.map((g) => (
                      <li key={g.city}>
                        {city(g.city)}：自 {g.firstMissingDay} 起缺 {g.missingDays} 天（
                        {REASON[g.reason] ?? g.reason}）— <a href={href('restrictions')}>去补充</a>
                      </li>
                    ))}
                  </ul>
                }
              />
            ) : (
              <Alert type="success" showIcon message={`未来 ${d.coverage.days} 天限行数据完整`} />
            )
          }
        </Loaded>
        <Row gutter={16}>
          <Col span={12}>
            <Loaded query={budget} rows={1}>
              {(b) => (
                <Statistic
                  title={`短信预算（${b.month}）`}
                  value={fen(b.spentFen)}
                  suffix={`/ ${fen(b.ceilingFen)}`}
                  valueStyle={b.exhausted ? { color: '#cf1322' } : undefined}
                />
              )}
            </Loaded>
          </Col>
          <Col span={12}>
            <Loaded query={quota} rows={1}>
              {(q) => (
                <Space direction="vertical">
                  {q.accounts.map((a) => (
                    <Statistic
                      key={a.account}
                      title={`微信模板消息额度（${a.account}，${q.date}）`}
                      value={a.used}
                      suffix={`/ ${a.limit}`}
                    />
                  ))}
                </Space>
              )}
            </Loaded>
          </Col>
        </Row>
        <Typography.Text type="secondary">
          死信队列：API 不提供死信数量；死信由值班告警通知（本地栈：<code>/_local/queues</code>
          ，AWS：运维仪表盘）。
        </Typography.Text>
      </Space>
    </Card>
  );
}

function WaitingForReview() {
  const { api } = useConsole();
  const can = useCan();
  const q = useQuery({ ...inReviewQuery(api), enabled: can('GET /v1/admin/notices') });
  if (!can('GET /v1/admin/notices')) return null;
  return (
    <Card title="待审核的公告">
      <Loaded query={q}>
        {(d) =>
          d.notices.length ? (
            <List
              dataSource={d.notices}
              renderItem={(n) => (
                <List.Item>
                  <a href={href(`notices/${n.id}`)}>{n.title}</a>
                  <span>
                    {NOTICE_KIND[n.kind]} · {city(n.city)} · {time(n.submittedAt)}
                  </span>
                </List.Item>
              )}
            />
          ) : (
            <Typography.Text type="secondary">没有待审核的公告。</Typography.Text>
          )
        }
      </Loaded>
    </Card>
  );
}

/** 诉求 waiting: new in the officer's units, their own open ones, and (supervisors) the overdue. */
function DeskWaiting() {
  const { api } = useConsole();
  const can = useCan();
  const may = can('GET /v1/admin/desk/cases');
  const supervises = can('GET /v1/admin/desk/overdue');
  const count = (view: 'new' | 'mine') => ({
    queryKey: ['cases', view, undefined],
    enabled: may,
    queryFn: () => call(api.GET('/v1/admin/desk/cases', { params: { query: { view } } })),
  });
  const fresh = useQuery(count('new'));
  const mine = useQuery(count('mine'));
  const overdue = useQuery({
    queryKey: ['cases', 'supervision'],
    enabled: supervises,
    queryFn: () => call(api.GET('/v1/admin/desk/overdue')),
  });
  if (!may) return null;
  return (
    <Card title="诉求" data-testid="today-desk">
      <Row gutter={16}>
        <Col span={8}>
          <Loaded query={fresh} rows={1}>
            {(d) => (
              <a href={href('desk?view=new')}>
                <Statistic title="新诉求" value={d.cases.length} />
              </a>
            )}
          </Loaded>
        </Col>
        <Col span={8}>
          <Loaded query={mine} rows={1}>
            {(d) => (
              <a href={href('desk?view=mine')}>
                <Statistic title="我的待办" value={d.cases.length} />
              </a>
            )}
          </Loaded>
        </Col>
        {supervises ? (
          <Col span={8}>
            <Loaded query={overdue} rows={1}>
              {(d) => (
                <a href={href('supervision')}>
                  <Statistic
                    title="超期（督办）"
                    value={d.cases.length}
                    valueStyle={d.cases.length ? { color: '#a8071a' } : undefined}
                  />
                </a>
              )}
            </Loaded>
          </Col>
        ) : null}
      </Row>
    </Card>
  );
}

export default function Today() {
  const can = useCan();
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        今日
      </Typography.Title>
      <DeskWaiting />
      <Answers />
      {can('GET /v1/admin/pushes') ? <TodayRuns /> : null}
      <Alarms />
      <WaitingForReview />
    </Space>
  );
}
