/**
 * Queries the 今日 page starts with, defined once: the page reads them, and the entry starts them
 * before the page's code has even loaded (render-as-you-fetch), so a first visit waits for the API
 * and the page's JavaScript at the same time rather than one after the other.
 */
import type { QueryClient } from '@tanstack/react-query';
import { type Api, call } from '../api/client.ts';
import { runsPage } from '../lib/runs.ts';
import { mayCall } from './context.tsx';

export const citiesQuery = (api: Api) => ({
  queryKey: ['cities'],
  queryFn: () => call(api.GET('/v1/cities')),
});

export const nextDay = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export const answersQuery = (api: Api, cities: readonly string[], today: string | undefined) => ({
  queryKey: ['answers', today, cities.join(',')],
  enabled: !!today,
  queryFn: () =>
    Promise.all(
      cities.map((c) =>
        call(
          api.GET('/v1/cities/{city}/restrictions', {
            params: { path: { city: c }, query: { from: today!, to: nextDay(today!) } },
          }),
        ),
      ),
    ),
});

export const firstRunsQuery = (api: Api) => ({
  queryKey: ['runs', 'first'],
  queryFn: () => call(api.GET('/v1/admin/pushes', { params: { query: runsPage(null, 50) } })),
});
export const restrictionDataQuery = (api: Api) => ({
  queryKey: ['restriction-data'],
  queryFn: () => call(api.GET('/v1/admin/restriction-data', {})),
});
export const smsBudgetQuery = (api: Api) => ({
  queryKey: ['sms-budget'],
  queryFn: () => call(api.GET('/v1/admin/sms/budget', {})),
});
export const quotaQuery = (api: Api) => ({
  queryKey: ['wechat-quota'],
  queryFn: () => call(api.GET('/v1/admin/wechat/quota')),
});
export const inReviewQuery = (api: Api) => ({
  queryKey: ['notices', 'in-review'],
  queryFn: () => call(api.GET('/v1/admin/notices', { params: { query: { status: 'in-review' } } })),
});

/** Starts the 今日 page's queries (those the roles may make) while its code loads. */
export function prefetchToday(
  qc: QueryClient,
  api: Api,
  roles: readonly string[],
  servedCities: readonly string[],
) {
  const may = (route: Parameters<typeof mayCall>[1]) => mayCall(roles, route);
  void qc.fetchQuery(citiesQuery(api)).then(
    (c) => qc.prefetchQuery(answersQuery(api, servedCities, c.date)),
    () => {},
  );
  if (may('GET /v1/admin/pushes')) void qc.prefetchQuery(firstRunsQuery(api));
  if (may('GET /v1/admin/restriction-data')) void qc.prefetchQuery(restrictionDataQuery(api));
  if (may('GET /v1/admin/sms/budget')) void qc.prefetchQuery(smsBudgetQuery(api));
  if (may('GET /v1/admin/wechat/quota')) void qc.prefetchQuery(quotaQuery(api));
  if (may('GET /v1/admin/notices')) void qc.prefetchQuery(inReviewQuery(api));
}
