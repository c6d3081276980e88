/**
 * A notice version's one-off publish schedule in EventBridge Scheduler: `at(...)` in UTC, flexible
 * window off, deleted by the scheduler after it fired. Scheduler fires with one-minute precision
 * (a schedule for 07:30 runs between 07:30:00 and 07:30:59), so the time is rounded UP to the whole
 * minute: never before publishAt, where the notice would not be due yet. The target input names the
 * notice version, so a schedule that outlived an edit finds the notice moved on and does nothing.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { PublishSchedules } from '../../core/notices/workflow.ts';

export interface ScheduleGroupConfig {
  name: string;
  /** What the group's schedules invoke; absent for a function that may only delete them. */
  target?: { arn: string; roleArn: string; deadLetterQueueArn: string };
}

/** `notice-<id>-v<version>`: one per version; refused rather than cut if over the scheduler's 64 characters. */
export function publishScheduleName(id: string, version: number): string {
  const name = `notice-${id}-v${version}`;
  if (!/^[0-9a-zA-Z_.-]{1,64}$/.test(name)) throw new Error(`notice id '${id}' makes no valid schedule name`);
  return name;
}

/** `at(2026-11-22T07:31:00)` for 07:30:40Z: the first whole minute at or after the instant. */
export function atExpression(iso: string): string {
  const ceiled = Math.ceil(Date.parse(iso) / 60_000) * 60_000;
  return `at(${new Date(ceiled).toISOString().slice(0, 19)})`;
}

/**
 * Schedules are best effort: a failure is reported (log, metric) and swallowed, so an approval or an
 * edit that committed does not answer 500; the sweep publishes what a missing schedule would have.
 */
export function bestEffort(
  inner: PublishSchedules,
  report: (what: 'create' | 'remove', noticeId: string, error: unknown) => void,
): PublishSchedules {
  return {
    async create(notice) {
      try {
        await inner.create(notice);
      } catch (error) {
        report('create', notice.id, error);
      }
    },
    async remove(notice) {
      try {
        await inner.remove(notice);
      } catch (error) {
        report('remove', notice.id, error);
      }
    },
  };
}

export class SchedulerPublishSchedules implements PublishSchedules {
  private readonly client: SchedulerClient;
  private readonly group: ScheduleGroupConfig;
  constructor(client: SchedulerClient, group: ScheduleGroupConfig) {
    this.client = client;
    this.group = group;
  }

  async create(notice: { id: string; version: number; publishAt: string }): Promise<void> {
    const target = this.group.target;
    if (!target) throw new Error(`this function may only delete schedules of group ${this.group.name}`);
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: publishScheduleName(notice.id, notice.version),
          GroupName: this.group.name,
          Description: `Publish notice ${notice.id} version ${notice.version} at ${notice.publishAt}`,
          ScheduleExpression: atExpression(notice.publishAt),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: target.arn,
            RoleArn: target.roleArn,
            Input: JSON.stringify({ noticeId: notice.id, version: notice.version }),
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: target.deadLetterQueueArn },
          },
        }),
      );
    } catch (error) {
      // The name is the notice version, so an existing one is this very schedule (e.g. the request
      // timed out after creating it): keep it.
      if (!(error instanceof ConflictException)) throw error;
    }
  }

  async remove(notice: { id: string; version: number }): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({
          Name: publishScheduleName(notice.id, notice.version),
          GroupName: this.group.name,
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error; // fired and deleted itself, or never made
    }
  }
}
