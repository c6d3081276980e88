/**
 * A notice version's one-off publish schedule in EventBridge Scheduler: `at(...)` in UTC, rounded
 * up to the second (at() has no milliseconds, and firing before publishAt would find the notice not
 * yet due), flexible window off, deleted by the scheduler after it fired. The target input names the
 * notice version, so a schedule that outlived an edit finds the notice moved on and does nothing.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { PublishSchedules } from '../../core/notice-workflow.ts';

export interface ScheduleGroupConfig {
  name: string;
  /** What the group's schedules invoke; absent for a function that may only delete them. */
  target?: { arn: string; roleArn: string; deadLetterQueueArn: string };
}

/** `notice-<id>-v<version>`: unique per version, within the scheduler's 64 characters. */
export const publishScheduleName = (id: string, version: number) => `notice-${id}-v${version}`.slice(0, 64);

/** `2026-11-22T07:30:01` for 07:30:00.250Z: the first whole second at or after the instant. */
export function atExpression(iso: string): string {
  const ms = Date.parse(iso);
  const ceiled = Math.ceil(ms / 1000) * 1000;
  return `at(${new Date(ceiled).toISOString().slice(0, 19)})`;
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
      if (!(error instanceof ConflictException)) throw error; // already scheduled (a retried approve)
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
