import { describe, expect, it } from 'vitest';
import { BlueprintError, blueprint, defineBlueprint } from '../../lib/blueprint.ts';
import { fixtureBlueprintInput } from '../fixtures/blueprint.ts';

type Mutable = typeof fixtureBlueprintInput & Record<string, unknown>;
const mutate = (change: (bp: Mutable) => void) => {
  const copy = structuredClone(fixtureBlueprintInput) as Mutable;
  change(copy);
  return () => defineBlueprint(copy);
};

describe('blueprint', () => {
  it('the real blueprint validates and declares the tables the design names and GET /health', () => {
    expect(Object.keys(blueprint.tables).sort()).toEqual([
      'content',
      'desk',
      'drivers',
      'inbound',
      'ledger',
      'operations',
      'subscribers',
    ]);
    expect(blueprint.tables.subscribers?.indexes.map((i) => i.name)).toEqual(['fanout']);
    expect(blueprint.tables.ledger?.ttlAttribute).toBe('expiresAt');
    // Cases and their attachments are purged after the same retention period.
    expect(blueprint.tables.desk?.ttlAttribute).toBe('expiresAt');
    expect(blueprint.buckets['desk-attachments']?.expireDays).toBe(365);
    expect(blueprint.routes).toContainEqual({
      method: 'GET',
      path: '/health',
      function: 'get-health',
      auth: 'public',
    });
  });

  it('applies defaults', () => {
    const bp = defineBlueprint(fixtureBlueprintInput);
    expect(bp.functions['get-thing']).toMatchObject({ memoryMb: 256, timeoutSeconds: 10, publishes: [] });
    expect(bp.schedules['morning-check']?.timeZone).toBe('Asia/Shanghai');
  });

  it.each([
    [
      'a route to an unknown function',
      (bp: Mutable) => {
        bp.routes[0]!.function = 'nope';
      },
      "routes.0.function: unknown function 'nope'; known functions: get-thing, put-thing",
    ],
    [
      'a function granted an unknown table',
      (bp: Mutable) => {
        (bp.functions['get-thing'].tables as Record<string, string>).missing = 'read';
      },
      "functions.get-thing.tables.missing: unknown table 'missing'; known tables: things, audit",
    ],
    [
      'a queue subscribed to an unknown topic',
      (bp: Mutable) => {
        bp.queues['work-wechat'].subscribesTo[0]!.topic = 'ghost';
      },
      "queues.work-wechat.subscribesTo.0.topic: unknown topic 'ghost'; known topics: work",
    ],
    [
      'a visibility timeout shorter than the consumer timeout',
      (bp: Mutable) => {
        bp.queues['work-wechat'].visibilityTimeoutSeconds = 5;
      },
      'queues.work-wechat.visibilityTimeoutSeconds: visibility timeout 5s is shorter than function',
    ],
    [
      'a function using an unknown schedule group',
      (bp: Mutable) => {
        (bp.functions['get-thing'] as Record<string, unknown>).scheduleGroups = { ghosts: 'manage' };
      },
      "functions.get-thing.scheduleGroups.ghosts: unknown schedule group 'ghosts'; known schedule groups: reminders",
    ],
    [
      'a schedule group invoking an unknown function',
      (bp: Mutable) => {
        bp.scheduleGroups.reminders.function = 'nope';
      },
      "scheduleGroups.reminders.function: unknown function 'nope'",
    ],
    [
      "a schedule group's target that would create its own schedules",
      (bp: Mutable) => {
        (bp.functions['nightly-check'] as Record<string, unknown>).scheduleGroups = { reminders: 'manage' };
      },
      "functions.nightly-check.scheduleGroups.reminders: function 'nightly-check' is the target of schedule group 'reminders' and may only 'delete'",
    ],
    [
      'an unparsable cron',
      (bp: Mutable) => {
        bp.schedules['morning-check'].cron = 'cron(0 7 * * * *)';
      },
      'schedules.morning-check.cron: cron(0 7 * * * *): exactly one of day-of-month and day-of-week',
    ],
    [
      'an unknown time zone',
      (bp: Mutable) => {
        (bp.schedules['morning-check'] as Record<string, unknown>).timeZone = 'Mars/Olympus';
      },
      "schedules.morning-check.timeZone: unknown IANA time zone 'Mars/Olympus'",
    ],
    [
      'a duplicate route',
      (bp: Mutable) => {
        bp.routes.push({ ...bp.routes[0]!, path: '/things/{other}' });
      },
      'routes.5: duplicate route GET /things/{other}',
    ],
    [
      'an unknown auth kind',
      (bp: Mutable) => {
        (bp.routes[0] as Record<string, unknown>).auth = 'basic';
      },
      'routes.0.auth:',
    ],
    [
      'a handler file that does not exist',
      (bp: Mutable) => {
        bp.functions['get-thing'].entry = 'functions/missing/handler.ts';
      },
      'functions.get-thing.entry: no file at functions/missing/handler.ts',
    ],
    [
      'an unknown field (typo)',
      (bp: Mutable) => {
        (bp.functions['get-thing'] as Record<string, unknown>).timeout = 5;
      },
      'functions.get-thing:',
    ],
  ])('rejects %s with a message naming the path', (_name, change, message) => {
    const build = mutate(change);
    expect(build).toThrow(BlueprintError);
    expect(build).toThrow(message);
  });
});

describe('the push ledger’s in-flight window', () => {
  it('lies between each deliver function’s timeout and its queue’s visibility timeout', async () => {
    const { IN_FLIGHT_MS } = await import('../../functions/adapters/dynamodb/push-ledger.ts');
    const deliverQueues = Object.values(blueprint.queues).filter((q) => q.function.startsWith('deliver-'));
    expect(deliverQueues.map((q) => q.function).sort()).toEqual(['deliver-sms', 'deliver-wechat']);
    for (const q of deliverQueues) {
      expect(blueprint.functions[q.function]!.timeoutSeconds * 1000).toBeLessThan(IN_FLIGHT_MS);
      expect(IN_FLIGHT_MS).toBeLessThan(q.visibilityTimeoutSeconds * 1000);
    }
  });
});
