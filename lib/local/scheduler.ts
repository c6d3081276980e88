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

/** What a schedule's invocation came to: the function's result, or its error message. */
async function invocation(
  invoke: () => Promise<unknown>,
): Promise<{ result: 'ok' | 'error'; output: unknown }> {
  try {
    return { result: 'ok', output: await invoke() };
  } catch (error) {
    return { result: 'error', output: error instanceof Error ? error.message : String(error) };
  }
}

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
    const { result, output } = await invocation(() => this.fire(s.id, s.def));
    s.lastResult = result;
    s.lastOutput = output;
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

/** A one-off schedule a function created at run time (EventBridge Scheduler `at(...)`). */
export interface OneOffSchedule {
  group: string;
  name: string;
  expression: string;
  at: Date;
  function: string;
  input: unknown;
  /** ActionAfterCompletion DELETE: gone once fired; otherwise kept (never firing again) until deleted. */
  deleteAfterCompletion: boolean;
  createdAt: Date;
  firedAt?: Date;
  result?: 'ok' | 'error';
  output?: unknown;
}

export class OneOffError extends Error {
  readonly type: 'ConflictException' | 'ResourceNotFoundException' | 'ValidationException';
  readonly status: number;
  constructor(type: OneOffError['type'], message: string) {
    super(message);
    this.type = type;
    this.status = { ConflictException: 409, ResourceNotFoundException: 404, ValidationException: 400 }[type];
  }
}

/** `at(2026-11-22T07:30:00)` with time zone UTC (the only zone the handlers use): its instant. */
export function parseAtExpression(expression: string, timeZone = 'UTC'): Date {
  const m = /^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$/.exec(expression);
  if (!m) throw new OneOffError('ValidationException', `Invalid Schedule Expression ${expression}.`);
  if (timeZone !== 'UTC')
    throw new OneOffError(
      'ValidationException',
      `the local scheduler takes at() expressions in UTC only, not ${timeZone}`,
    );
  const at = new Date(`${m[1]}Z`);
  if (Number.isNaN(at.getTime()))
    throw new OneOffError('ValidationException', `Invalid Schedule Expression ${expression}.`);
  return at;
}

/**
 * One-off schedules, locally: each fires once when the functions' clock (shifted by
 * LOCAL_TIME_OFFSET_MS, as the functions see it) reaches the START of its time's minute — as early as
 * EventBridge Scheduler may fire it (one-minute precision), so a schedule that relies on more shows
 * here — invokes its function with its input, and is deleted only with ActionAfterCompletion DELETE;
 * what fired stays listed in `fired`.
 * Schedules live in memory: after a restart the functions' own backstops (e.g. the five-minute
 * notice sweep) cover what was pending.
 */
export class LocalOneOffSchedules {
  private readonly pending = new Map<string, OneOffSchedule>();
  readonly fired: OneOffSchedule[] = [];
  private readonly invoke: (fn: string, input: unknown) => Promise<unknown>;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;

  constructor(invoke: (fn: string, input: unknown) => Promise<unknown>, now: () => Date) {
    this.invoke = invoke;
    this.now = now;
  }

  private key = (group: string, name: string) => `${group}/${name}`;

  list(): OneOffSchedule[] {
    return [...this.pending.values()];
  }

  create(s: Omit<OneOffSchedule, 'createdAt'>): void {
    const key = this.key(s.group, s.name);
    if (this.pending.has(key))
      throw new OneOffError('ConflictException', `Schedule ${s.name} already exists.`);
    this.pending.set(key, { ...s, createdAt: this.now() });
  }

  delete(group: string, name: string): void {
    if (!this.pending.delete(this.key(group, name)))
      throw new OneOffError('ResourceNotFoundException', `Schedule ${name} does not exist.`);
  }

  start(intervalMs = 250): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Fires every schedule whose minute has come (each once). */
  async tick(): Promise<void> {
    const now = this.now().getTime();
    const due = [...this.pending.entries()].filter(
      ([, s]) => !s.firedAt && Math.floor(s.at.getTime() / 60_000) * 60_000 <= now,
    );
    for (const [key, s] of due) {
      s.firedAt = this.now(); // claimed: a slow invocation is not fired again by the next tick
      if (s.deleteAfterCompletion) this.pending.delete(key);
    }
    await Promise.all(
      due.map(async ([, s]) => {
        Object.assign(s, await invocation(() => this.invoke(s.function, s.input)));
        this.fired.push(s);
      }),
    );
  }
}
