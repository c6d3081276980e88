/**
 * A query's three states, the same on every page: a skeleton while loading; when the API is down,
 * a notice that says so and that it retries (never a raw error or a blank page); otherwise the
 * API's problem `detail`. Data already shown stays while a refetch fails.
 */
import type { UseQueryResult } from '@tanstack/react-query';
import { Alert, Button, Skeleton } from 'antd';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';

export function ProblemAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const e = error instanceof ApiError ? error : undefined;
  const down = !e || e.status === 0 || e.status >= 500;
  const title = down
    ? '暂时无法连接服务，正在自动重试…'
    : e.status === 403
      ? `没有权限：${e.problem.detail}`
      : e.status === 401
        ? '登录已过期，请重新登录'
        : e.problem.detail;
  return (
    <Alert
      role="alert"
      type={down ? 'warning' : 'error'}
      showIcon
      message={title}
      description={down ? '服务恢复后页面会自动更新；也可以点击“重试”。' : undefined}
      action={
        onRetry ? (
          <Button size="small" onClick={onRetry}>
            重试
          </Button>
        ) : undefined
      }
    />
  );
}

export function Loaded<T>({
  query,
  children,
  rows = 4,
}: {
  query: UseQueryResult<T>;
  children: (data: T) => ReactNode;
  rows?: number;
}) {
  // While the query retries, its last failure says why (the API is down): shown at once, not after the retries.
  const failure = query.isError ? query.error : query.failureCount > 0 ? query.failureReason : null;
  const alert = failure ? <ProblemAlert error={failure} onRetry={() => query.refetch()} /> : null;
  if (query.data !== undefined)
    return (
      <>
        {alert}
        {children(query.data)}
      </>
    );
  if (alert) return alert;
  return <Skeleton active paragraph={{ rows }} />;
}

/** Retries what may heal by itself (unreachable, 5xx), with backoff; never a 4xx. */
export const retryPolicy = {
  retry: (count: number, error: unknown) => {
    const status = error instanceof ApiError ? error.status : 0;
    return (status === 0 || status >= 500) && count < 1000;
  },
  retryDelay: (attempt: number) => Math.min(1000 * 2 ** attempt, 10_000),
};
