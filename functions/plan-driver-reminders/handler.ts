/**
 * EventBridge Scheduler, every morning (09:00 Asia/Shanghai) → the day's due-date reminders at the
 * configured offsets from the sparse due-date index, to verified owners through the push pipeline;
 * yesterday's ingest runs closed (functions/core/drivers/reminders.ts).
 */
import { DriverReminderRequestSchema } from '../../schemas/drivers.ts';
import { planDueReminders } from '../core/drivers/reminders.ts';
import { scheduleHandler } from '../shared/schedule.ts';
import { reminderDeps } from '../shared/wiring/driver-reminders.ts';

const deps = reminderDeps();

export const handler = scheduleHandler(DriverReminderRequestSchema, async (input) =>
  planDueReminders(input, await deps()),
);
