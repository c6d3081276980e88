/**
 * EventBridge Scheduler, locally: each blueprint schedule fires at its next cron time in its time
 * zone, invoking its function with the schedule's input. An operator can also fire one now.
 */
import type { ScheduleDef } from '../../schemas/blueprint.ts';
import { type Cron, nextFireTime, parseCron } from '../cron.ts';

export interface ScheduleState {
  id: string;
  def: ScheduleDef;
  cron: Cron;
  next: Date | undefined;
  lastFiredAt?: Date;
  lastResult?: 'ok' | 'error';
  /** What the function returned (or the error message) on the last firing. */
  lastOutput?: unknown;
}

export type Fire = (id: string, def: ScheduleDef) => Promise<unknown>;

export class LocalScheduler {
  private readonly states = new Map<string, ScheduleState>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly fire: Fire;
  private readonly now: () => Date;

  constructor(schedules: Record<string, ScheduleDef>, fire: Fire, now: () => Date = () => new Date()) {
    this.fire = fire;
    this.now = now;
    for (const [id, def] of Object.entries(schedules)) {
      const cron = parseCron(def.cron);
      this.states.set(id, { id, def, cron, next: nextFireTime(cron, now(), def.timeZone) });
    }
  }

  list(): ScheduleState[] {
    return [...this.states.values()];
  }

  start(): void {
    for (const s of this.states.values()) this.arm(s);
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Fires a schedule immediately (operator action); does not change its next regular fire time. */
  async fireNow(id: string): Promise<ScheduleState> {
    const s = this.states.get(id);
    if (!s)
      throw new Error(`unknown schedule '${id}'; known: ${[...this.states.keys()].join(', ') || '(none)'}`);
    await this.run(s);
    return s;
  }

  private async run(s: ScheduleState): Promise<void> {
    s.lastFiredAt = this.now();
    try {
      s.lastOutput = await this.fire(s.id, s.def);
      s.lastResult = 'ok';
    } catch (error) {
      s.lastResult = 'error';
      s.lastOutput = error instanceof Error ? error.message : String(error);
    }
  }

  private arm(s: ScheduleState): void {
    if (!s.next) return;
    // setTimeout caps at ~24.8 days; re-arm in steps for far-off schedules.
    const delay = Math.min(s.next.getTime() - this.now().getTime(), 2 ** 31 - 1);
    const timer = setTimeout(
      async () => {
        if (s.next && this.now().getTime() >= s.next.getTime()) {
          await this.run(s);
          s.next = nextFireTime(s.cron, this.now(), s.def.timeZone);
        }
        this.arm(s);
      },
      Math.max(0, delay),
    );
    timer.unref();
    this.timers.set(s.id, timer);
  }
}
