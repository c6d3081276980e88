/** Wiring: the daily due-date reminders (plan-driver-reminders): the due index, holders, the calendar. */
import type { ReminderDeps } from '../../core/drivers/reminders.ts';
import { bookOf } from '../../core/restrictions/engine.ts';
import { topics } from '../clients/sns.ts';
import { clock } from '../clock.ts';
import { topicArn } from '../config.ts';
import { driverRecords, driverSecret, driverSettings } from './drivers.ts';
import { pushRuns } from './pushes.ts';
import { restrictionData } from './restriction-data.ts';

export function reminderDeps(): () => Promise<ReminderDeps> {
  const records = driverRecords();
  const deliveries = topics.deliveryQueue(topicArn('push-deliveries'));
  return async () => ({
    records,
    index: records,
    calendar: async () => bookOf(await restrictionData.load()).calendar,
    runs: pushRuns,
    deliveries,
    clock,
    pageKey: (await driverSecret()).pageKey,
    settings: driverSettings,
  });
}
