/**
 * How a function finds the resources its blueprint entry names: one environment variable per
 * table / topic / bus, named here once. The CDK builder sets them from real ARNs and names; the
 * local stack sets the same names to its local resources; `functions/shared/config.ts` reads them.
 */
const snake = (id: string) => id.toUpperCase().replace(/-/g, '_');

export const envNames = {
  table: (tableId: string) => `TABLE_${snake(tableId)}`,
  topic: (topicId: string) => `TOPIC_${snake(topicId)}_ARN`,
  secret: (secretId: string) => `${snake(secretId)}_SECRET_ARN`,
  /** A one-off schedule group: its name, the function its schedules invoke, the role and DLQ they use. */
  scheduleGroup: (groupId: string) => ({
    name: `SCHEDULE_GROUP_${snake(groupId)}`,
    target: `SCHEDULE_GROUP_${snake(groupId)}_TARGET_ARN`,
    role: `SCHEDULE_GROUP_${snake(groupId)}_ROLE_ARN`,
    deadLetterQueue: `SCHEDULE_GROUP_${snake(groupId)}_DLQ_ARN`,
  }),
  eventBus: 'EVENT_BUS_NAME',
  service: 'POWERTOOLS_SERVICE_NAME',
} as const;
