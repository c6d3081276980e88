/**
 * Starts Amazon's DynamoDB Local (in memory) once for the whole suite; tests read its endpoint
 * with `inject('dynamodbEndpoint')`. `npm test` needs nothing started by hand.
 */
import type { TestProject } from 'vitest/node';
import { REPO_ROOT } from '../lib/blueprint.ts';
import { ensureConsoleBuilt } from '../lib/console.ts';
import { startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  // Once, before any test: the synthesized app and the browser tests use the built console.
  ensureConsoleBuilt(REPO_ROOT, (line) => console.log(line));
  const ddb = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', ddb.endpoint);
  return async () => {
    await ddb.stop();
  };
}
