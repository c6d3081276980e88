/** Runs a conditional write; true when it happened, false when its condition did not hold. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
