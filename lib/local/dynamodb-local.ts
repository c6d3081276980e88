/**
 * Amazon's DynamoDB Local, run from the jar that ships inside the npm package
 * `amplify-dynamodb-simulator` on the machine's Java 17+. Used by `npm start` (persistent, -dbPath)
 * and by the vitest global setup (in memory). Also creates missing tables from the blueprint.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { Blueprint, TableDef } from '../../schemas/blueprint.ts';
import { freePort } from './ports.ts';

export class JavaMissingError extends Error {
  override name = 'JavaMissingError';
}

const INSTALL_HINT =
  'DynamoDB Local needs Java 17 or newer. On Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`; ' +
  'on macOS: `brew install openjdk@17`. Or point the stack at a running DynamoDB with DYNAMODB_ENDPOINT=http://host:port.';

/** Finds a Java 17+ executable (JAVA_HOME first, then PATH) or throws JavaMissingError with install advice. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : undefined, 'java'].filter(
    (c): c is string => Boolean(c),
  );
  let found: { java: string; major: number } | undefined;
  for (const java of candidates) {
    const res = spawnSync(java, ['-version'], { encoding: 'utf8', env });
    if (res.error) continue; // not installed there
    // `java -version` prints to stderr: openjdk version "17.0.15" (or "1.8.0_392" for Java 8)
    const m = /version "(\d+)(?:\.(\d+))?/.exec(`${res.stderr}${res.stdout}`);
    const major = m ? (Number(m[1]) === 1 ? Number(m[2]) : Number(m[1])) : 0;
    if (major >= 17) return java;
    found ??= { java, major };
  }
  throw new JavaMissingError(
    found
      ? `Found Java ${found.major || '(unknown version)'} at ${found.java}, too old. ${INSTALL_HINT}`
      : `No Java found. ${INSTALL_HINT}`,
  );
}

export function emulatorDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

/** A port free now (in LOCAL_PORTS if set): ./ports.ts. */
export { freePort };

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
  /** Synchronous kill, for process 'exit' handlers. */
  killNow(): void;
}

export interface StartOptions {
  /** Directory for -dbPath (persistent); omitted → -inMemory. */
  dbPath?: string;
  port?: number;
  java?: string;
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
}

/**
 * A DynamoDB Local left running on `dbPath` by a stack that was killed (kill -9 of the node process
 * leaves its Java child behind): killed before another one opens the same files.
 */
async function reapOrphan(pidFile: string, dbPath: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0) return;
  const args = spawnSync('ps', ['-p', String(pid), '-o', 'args='], { encoding: 'utf8' }).stdout ?? '';
  if (!args.includes('DynamoDBLocal.jar') || !args.includes(dbPath)) return; // gone, or another process now
  process.kill(pid, 'SIGKILL');
  for (let waited = 0; waited < 5000; waited += 50) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts DynamoDB Local and resolves when it answers ListTables. */
export async function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  const java = options.java ?? findJava();
  const dir = emulatorDir();
  const jar = join(dir, 'DynamoDBLocal.jar');
  if (!existsSync(jar)) throw new Error(`DynamoDB Local jar not found at ${jar}; run npm ci`);
  const port = options.port ?? (await freePort());
  const storage = options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory'];
  const pidFile = options.dbPath ? join(options.dbPath, 'dynamodb-local.pid') : undefined;
  if (options.dbPath && pidFile) {
    mkdirSync(options.dbPath, { recursive: true });
    await reapOrphan(pidFile, options.dbPath);
  }
  const child = spawn(
    java,
    [
      '-Xmx1g',
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      jar,
      ...storage,
      '-port',
      String(port),
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (pidFile && child.pid) writeFileSync(pidFile, String(child.pid));
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      if (pidFile) rmSync(pidFile, { force: true });
      resolve();
    }),
  );
  const client = localClient(endpoint);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}:\n${output}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return {
    endpoint,
    port,
    process: child,
    killNow,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(killNow, 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function createTableInput(name: string, def: TableDef): CreateTableCommandInput {
  const attrs = new Set<string>([def.partitionKey, ...(def.sortKey ? [def.sortKey] : [])]);
  for (const ix of def.indexes) {
    attrs.add(ix.partitionKey);
    if (ix.sortKey) attrs.add(ix.sortKey);
  }
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attrs].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: def.partitionKey, KeyType: 'HASH' },
      ...(def.sortKey ? [{ AttributeName: def.sortKey, KeyType: 'RANGE' as const }] : []),
    ],
    ...(def.indexes.length
      ? {
          GlobalSecondaryIndexes: def.indexes.map((ix) => ({
            IndexName: ix.name,
            KeySchema: [
              { AttributeName: ix.partitionKey, KeyType: 'HASH' as const },
              ...(ix.sortKey ? [{ AttributeName: ix.sortKey, KeyType: 'RANGE' as const }] : []),
            ],
            Projection:
              ix.projection === 'all'
                ? { ProjectionType: 'ALL' as const }
                : ix.projection === 'keys-only'
                  ? { ProjectionType: 'KEYS_ONLY' as const }
                  : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: ix.projection },
          })),
        }
      : {}),
    ...(def.stream
      ? {
          StreamSpecification: {
            StreamEnabled: true,
            StreamViewType:
              def.stream === 'new-image' ? ('NEW_IMAGE' as const) : ('NEW_AND_OLD_IMAGES' as const),
          },
        }
      : {}),
  };
}

/** Local table name of a blueprint table. */
export const localTableName = (service: string, tableId: string) => `${service}-${tableId}`;

/** Creates every blueprint table that does not exist yet (with its TTL); returns the names created. */
export async function ensureTables(client: DynamoDBClient, blueprint: Blueprint): Promise<string[]> {
  const created: string[] = [];
  for (const [tableId, def] of Object.entries(blueprint.tables)) {
    const name = localTableName(blueprint.service, tableId);
    try {
      await client.send(new DescribeTableCommand({ TableName: name }));
      continue;
    } catch (e) {
      if (!(e instanceof ResourceNotFoundException)) throw e;
    }
    await client.send(new CreateTableCommand(createTableInput(name, def)));
    if (def.ttlAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true },
        }),
      );
    }
    created.push(name);
  }
  return created;
}
