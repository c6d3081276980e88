/**
 * Every DynamoDB key this system writes, built in one place (README: "DynamoDB access patterns").
 */
export const keys = {
  /** content: all records of one kind share a partition (tiny, read together). */
  restrictionData: (kind: 'calendar' | 'rule' | 'suspension', id: string) => ({
    pk: `RDATA#${kind}`,
    sk: id,
  }),
  restrictionDataPartition: (kind: 'calendar' | 'rule' | 'suspension') => `RDATA#${kind}`,
  /** operations: audit entries by day, and by actor through gsi1. */
  audit: (at: string, id: string, actor: string) => ({
    pk: `AUDIT#${at.slice(0, 10)}`,
    sk: `${at}#${id}`,
    gsi1pk: `ACTOR#${actor}`,
    gsi1sk: `${at}#${id}`,
  }),
} as const;
