/**
 * Every five minutes: the push runs of the last days that stalled are counted (StalledPushRuns,
 * alarmed), logged and resumed — what they have not finished is emitted again
 * (functions/core/pushes/resume.ts `sweepStalledRuns`).
 */
import * as z from 'zod';
import { RunRecoverySettingsSchema } from '../../schemas/settings.ts';
import { sweepStalledRuns } from '../core/pushes/resume.ts';
import { settings } from '../shared/config.ts';
import { scheduleHandler } from '../shared/schedule.ts';
import { runRecoveryDeps } from '../shared/wiring/run-recovery.ts';

const deps = runRecoveryDeps(settings(RunRecoverySettingsSchema));

export const handler = scheduleHandler(z.strictObject({}), () => sweepStalledRuns(deps));
