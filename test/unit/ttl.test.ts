import { describe, expect, it } from 'vitest';
import { ttlFloor } from '../../functions/adapters/dynamodb/ttl.ts';

describe('ttlFloor', () => {
  it('never lets an item be written already expired (DynamoDB Local deletes those within seconds)', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(ttlFloor(now - 10 * 86_400)).toBeGreaterThanOrEqual(now + 86_400);
    expect(ttlFloor(now + 9 * 86_400)).toBe(now + 9 * 86_400);
  });
});
