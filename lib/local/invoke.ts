/**
 * Invokes a blueprint function in this process the way Lambda would: the module is imported once
 * (init), each call gets a fresh Context with the function's timeout, and a call that outlives the
 * timeout fails with Lambda's "Task timed out" error. Init and every invocation run with the
 * function's own environment (`withFunctionEnvironment`), as a Lambda process has its own.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionDef } from '../../schemas/blueprint.ts';
import { withFunctionEnvironment } from '../../schemas/resource-env.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export class FunctionTimeoutError extends Error {
  override name = 'FunctionTimeoutError';
}

export class LocalFunction {
  readonly id: string;
  readonly def: FunctionDef;
  private readonly root: string;
  private loaded: Promise<Handler> | undefined;
  invocations = 0;
  /** What the function sees as its environment (set by the stack before the first invocation). */
  environment: Record<string, string | undefined> = {};

  constructor(id: string, def: FunctionDef, root: string) {
    this.id = id;
    this.def = def;
    this.root = root;
  }

  private load(): Promise<Handler> {
    this.loaded ??= withFunctionEnvironment(
      this.environment,
      () => import(pathToFileURL(resolve(this.root, this.def.entry)).href),
    ).then((m: { handler?: unknown }) => {
      if (typeof m.handler !== 'function')
        throw new Error(`${this.def.entry} does not export a handler function`);
      return m.handler as Handler;
    });
    return this.loaded;
  }

  async invoke(event: unknown): Promise<unknown> {
    const handler = await this.load();
    this.invocations++;
    const timeoutMs = this.def.timeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    const requestId = randomUUID();
    const context: Context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: this.id,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${this.id}`,
      memoryLimitInMB: String(this.def.memoryMb),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${this.id}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new FunctionTimeoutError(
              `${requestId} Task timed out after ${this.def.timeoutSeconds}.00 seconds`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([
        withFunctionEnvironment(this.environment, () => handler(event, context)),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
