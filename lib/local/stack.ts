/**
 * The local builder: the same blueprint the CDK builder reads, run in one process on this machine.
 * DynamoDB Local (real, from Amazon's jar), the HTTP API, topics → queues → functions with SQS
 * semantics, the scheduler, the event bus, and operator endpoints under /_local.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import type { EventBridgeEvent, SQSEvent } from 'aws-lambda';
import { DEV_DESK_DEFAULTS } from '../../functions/adapters/platform/secret.ts';
import { smsSecretFromEnv } from '../../functions/adapters/sms/settings.ts';
import type { Blueprint } from '../../schemas/blueprint.ts';
import { envNames, scheduleGroupName } from '../../schemas/resource-env.ts';
import { REPO_ROOT, SERVED_CITIES } from '../blueprint.ts';
import { handleScheduler, handleSns, type LocalScheduleGroup } from './aws-emulation.ts';
import { LocalBuckets, localBucketName } from './buckets.ts';
import { LocalConsole } from './console.ts';
import {
  type DynamoDbLocal,
  ensureTables,
  localClient,
  localTableName,
  startDynamoDbLocal,
} from './dynamodb-local.ts';
import {
  type CompiledRoute,
  compileRoute,
  matchRoute,
  readBody,
  sendGatewayError,
  toEvent,
  writeInvocationError,
  writeResult,
} from './http.ts';
import { LocalFunction } from './invoke.ts';
import { LOCAL_ISSUER, LocalJwtIssuer, localKeyFile } from './jwt.ts';
import { lockDataDir } from './lock.ts';
import { matchesPattern } from './patterns.ts';
import { PlatformSandbox } from './platform-sandbox.ts';
import { listenLoopback } from './ports.ts';
import { QueueJournal } from './queue-journal.ts';
import { LocalQueue, LocalTopic } from './queues.ts';
import { LocalS3 } from './s3-emulation.ts';
import { LocalOneOffSchedules, LocalScheduler, parseAtExpression } from './scheduler.ts';
import { type SmsFaults, SmsSandbox } from './sms-sandbox.ts';
import { type Faults, WeChatSandbox } from './wechat-sandbox.ts';

export interface LocalStackOptions {
  blueprint: Blueprint;
  /** HTTP port; 0 picks a free one. */
  port: number;
  /** Where DynamoDB Local keeps its data and the JWT key live. */
  dataDir: string;
  /** Use this DynamoDB instead of starting DynamoDB Local. */
  dynamodbEndpoint?: string;
  /** Scales queue visibility timeouts (tests). */
  timeScale?: number;
  /** Repository root for function entries. */
  root?: string;
  log?: (line: string) => void;
  /** Variables every function sees over its blueprint values (tests: faster pacing, smaller pages). */
  environment?: Record<string, string>;
}

const LOCAL_ACCOUNT = '000000000000';

export class LocalStack {
  readonly blueprint: Blueprint;
  private readonly options: LocalStackOptions;
  private readonly routeTable: CompiledRoute[];
  readonly functions = new Map<string, LocalFunction>();
  readonly queues = new Map<string, LocalQueue>();
  readonly topics = new Map<string, LocalTopic>();
  readonly scheduler: LocalScheduler;
  /** One-off schedules the functions create at run time (EventBridge Scheduler `at(...)`). */
  readonly oneOffSchedules: LocalOneOffSchedules;
  private readonly scheduleGroups: LocalScheduleGroup[];
  /** The WeChat API the functions call locally (WECHAT_API_BASE), with its outbox and faults. */
  readonly wechat = new WeChatSandbox();
  /**
   * The SMS gateways the functions call locally (SMS_API_ENDPOINT), Tencent- and Aliyun-shaped; Tencent
   * calls must be signed with the credentials the functions read (SMS_TENCENT_SECRET_ID/KEY, else the
   * dev defaults).
   */
  readonly sms: SmsSandbox;
  /** The 12345 platform's answer endpoint (the desk's answers to its tickets), with its outbox. */
  readonly platform12345 = new PlatformSandbox(
    process.env.DESK_12345_SECRET ?? DEV_DESK_DEFAULTS.DESK_12345_SECRET,
  );
  /** S3, as files under the data folder (the blueprint's buckets: the object API the functions call). */
  readonly s3: LocalS3;
  /** Drops into the drop buckets (kept by `s3`), each notifying its queue. */
  readonly buckets: LocalBuckets;
  private dynamo: DynamoDbLocal | undefined;
  private unlock: (() => void) | undefined;
  private server: Server | undefined;
  private jwt: LocalJwtIssuer | undefined;
  /** The staff console at /console and its local OIDC issuer at /_local/oidc. */
  readonly console: LocalConsole;
  endpoint = '';
  dynamodbEndpoint = '';

  constructor(options: LocalStackOptions) {
    this.options = options;
    // The credentials the functions read, resolved as they resolve them.
    this.sms = new SmsSandbox({
      tencent: smsSecretFromEnv({ ...process.env, ...options.environment }).tencent,
    });
    const { blueprint } = options;
    this.blueprint = blueprint;
    const root = options.root ?? REPO_ROOT;
    this.console = new LocalConsole(
      root,
      () => this.endpoint,
      () => this.jwt!,
      SERVED_CITIES,
    );
    for (const [id, def] of Object.entries(blueprint.functions))
      this.functions.set(id, new LocalFunction(id, def, root));
    this.routeTable = blueprint.routes.map(compileRoute);
    for (const id of Object.keys(blueprint.topics)) this.topics.set(id, new LocalTopic(id));
    this.s3 = new LocalS3(
      options.dataDir,
      Object.entries(blueprint.buckets).map(([id, b]) => ({
        name: localBucketName(blueprint.service, id),
        expireDays: b.expireDays,
      })),
    );
    for (const [id, def] of Object.entries(blueprint.queues)) {
      const queue = new LocalQueue(id, def, {
        ...(options.timeScale ? { timeScale: options.timeScale } : {}),
        onError: (q, e) =>
          this.log(`queue ${q}: batch failed: ${e instanceof Error ? e.message : String(e)}`),
      });
      this.queues.set(id, queue);
      for (const sub of def.subscribesTo) this.topics.get(sub.topic)!.subscribe(queue, sub.filterPolicy);
    }
    this.buckets = new LocalBuckets(blueprint.service, blueprint.buckets, this.s3, this.queues);
    this.scheduler = new LocalScheduler(blueprint.schedules, async (id, def) => {
      this.log(`schedule ${id} fired`);
      return await this.functions.get(def.function)!.invoke(def.input);
    });
    this.scheduleGroups = Object.entries(blueprint.scheduleGroups).map(([groupId, def]) => ({
      name: scheduleGroupName(blueprint.service, 'local', groupId),
      functionId: def.function,
      functionArn: `arn:aws:lambda:local:${LOCAL_ACCOUNT}:function:${blueprint.service}-${def.function}`,
      roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${blueprint.service}-${groupId}-scheduler`,
    }));
    // The functions' clock: one-off schedules fire in the time the functions schedule in.
    const functionsNow = () => new Date(Date.now() + (Number(process.env.LOCAL_TIME_OFFSET_MS ?? 0) || 0));
    this.oneOffSchedules = new LocalOneOffSchedules(async (fnId, input) => {
      this.log(`one-off schedule for ${fnId} fired`);
      return await this.functions.get(fnId)!.invoke(input);
    }, functionsNow);
  }

  /** What this builder exposes, for the parity test against the CDK builder. */
  surface() {
    return {
      routes: this.routeTable.map((r) => r.routeKey).sort(),
      queues: [...this.queues.keys()].sort(),
      schedules: this.scheduler
        .list()
        .map((s) => `${s.id} ${s.def.cron} ${s.def.timeZone}`)
        .sort(),
      scheduleGroups: this.scheduleGroups.map((g) => g.name).sort(),
      topics: [...this.topics.keys()].sort(),
      buckets: this.buckets.names(),
      busRules: Object.keys(this.blueprint.busRules).sort(),
    };
  }

  private log(line: string) {
    this.options.log?.(line);
  }

  async start(): Promise<void> {
    const { blueprint } = this;
    // The data folder holds the queues' journals and DynamoDB Local's files: one stack at a time.
    this.unlock = lockDataDir(this.options.dataDir, `port ${this.options.port}`);
    for (const queue of this.queues.values())
      queue.attach(new QueueJournal(join(this.options.dataDir, 'queues'), queue.name));
    this.wechat.keepOutboxIn(join(this.options.dataDir, 'wechat-outbox.jsonl'));
    if (this.options.dynamodbEndpoint) {
      this.dynamodbEndpoint = this.options.dynamodbEndpoint;
    } else {
      this.dynamo = await startDynamoDbLocal({ dbPath: join(this.options.dataDir, 'dynamodb') });
      this.dynamodbEndpoint = this.dynamo.endpoint;
    }
    const client = localClient(this.dynamodbEndpoint);
    const created = await ensureTables(client, blueprint);
    client.destroy();
    if (created.length) this.log(`created tables: ${created.join(', ')}`);
    const expired = this.s3.sweep();
    if (expired) this.log(`expired ${expired} objects past their bucket's lifecycle`);

    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        this.log(`request failed: ${e instanceof Error ? e.stack : String(e)}`);
        if (!res.headersSent) sendGatewayError(res, 500, 'Internal Server Error');
        else res.end();
      });
    });
    const server = this.server;
    const port = await listenLoopback(server, this.options.port);
    this.endpoint = `http://127.0.0.1:${port}`;
    this.jwt = new LocalJwtIssuer(localKeyFile(this.options.dataDir), LOCAL_ISSUER);

    this.applyEnvironment();
    for (const queue of this.queues.values()) {
      const fn = this.functions.get(queue.def.function)!;
      queue.start((event: SQSEvent) => fn.invoke(event));
    }
    this.scheduler.start();
    this.oneOffSchedules.start();
  }

  /**
   * Each function's environment: what the CDK builder would set for it — the resources its blueprint
   * entry grants, its `environment` — pointing at local resources, on top of this process's own
   * environment (the dev-only settings, e.g. WECHAT_ACCOUNTS). A variable the blueprint sets that is
   * also exported in this process (or passed in `options.environment`) takes the exported value, so a
   * developer can try `SMS_INTERACTIVE=true npm start`. Resource variables come only from the grants.
   */
  private applyEnvironment(): void {
    const { blueprint } = this;
    // What the SDKs read from the process itself: endpoints and credentials, the same for every function.
    const shared: Record<string, string> = {
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: this.dynamodbEndpoint,
      AWS_ENDPOINT_URL_SNS: `${this.endpoint}/_aws/sns`,
      AWS_ENDPOINT_URL_SCHEDULER: `${this.endpoint}/_aws/scheduler`,
      AWS_ENDPOINT_URL_S3: `${this.endpoint}/_aws/s3`,
      [envNames.service]: blueprint.service,
      POWERTOOLS_METRICS_NAMESPACE: blueprint.service,
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
      STAGE: 'local',
      LOCAL_STACK_URL: this.endpoint,
    };
    Object.assign(process.env, shared);
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !isResourceVariable(name)),
    );
    // The providers' APIs are the sandboxes here, whatever the blueprint names for AWS.
    const sandboxes = {
      WECHAT_API_BASE: `${this.endpoint}/_local/wechat`,
      // Both SMS SDKs post to the root path with their action header; the sandbox answers there.
      SMS_API_ENDPOINT: this.endpoint,
    };
    for (const [fnId, def] of Object.entries(blueprint.functions)) {
      const exported = Object.fromEntries(
        Object.keys(def.environment).flatMap((k) =>
          process.env[k] === undefined ? [] : [[k, process.env[k]]],
        ),
      );
      this.functions.get(fnId)!.environment = {
        ...inherited,
        ...def.environment,
        ...exported,
        ...sandboxes,
        ...this.resourcesOf(fnId),
        ...this.options.environment,
      };
    }
  }

  /** The resource variables the CDK builder sets for a function: exactly what its entry grants. */
  private resourcesOf(fnId: string): Record<string, string> {
    const { blueprint } = this;
    const def = blueprint.functions[fnId]!;
    const env: Record<string, string> = {};
    for (const id of Object.keys(def.tables)) env[envNames.table(id)] = localTableName(blueprint.service, id);
    for (const id of def.publishes)
      env[envNames.topic(id)] = `arn:aws:sns:local:${LOCAL_ACCOUNT}:${blueprint.service}-${id}`;
    for (const id of Object.keys(def.buckets))
      env[envNames.bucket(id)] = localBucketName(blueprint.service, id);
    if (def.putsEvents) env[envNames.eventBus] = `${blueprint.service}-bus`;
    for (const queue of Object.values(blueprint.queues))
      if (queue.function === fnId) env[envNames.queueMaxReceives] = String(queue.maxReceives);
    // Secrets: none locally; functions fall back to their local configuration (STAGE=local).
    for (const [i, groupId] of Object.keys(blueprint.scheduleGroups).entries()) {
      const access = def.scheduleGroups[groupId];
      if (!access) continue;
      const group = this.scheduleGroups[i]!;
      const names = envNames.scheduleGroup(groupId);
      env[names.name] = group.name;
      if (access === 'manage') {
        env[names.target] = group.functionArn;
        env[names.role] = group.roleArn;
        env[names.deadLetterQueue] = `arn:aws:sqs:local:${LOCAL_ACCOUNT}:${group.name}-dlq`;
      }
    }
    return env;
  }

  /** Publishes to a topic (raw delivery to each matching subscribed queue). */
  publish(topicId: string, message: string, attributes: Record<string, string> = {}): string[] {
    const topic = this.topics.get(topicId);
    if (!topic) throw new Error(`unknown topic '${topicId}'`);
    return topic.publish(message, attributes);
  }

  /** Puts an event on the bus; every matching rule's function is invoked (asynchronously, like EventBridge). */
  putEvent(entry: { source: string; 'detail-type': string; detail: Record<string, unknown> }): string[] {
    const event: EventBridgeEvent<string, Record<string, unknown>> = {
      version: '0',
      id: randomUUID(),
      source: entry.source,
      'detail-type': entry['detail-type'],
      account: LOCAL_ACCOUNT,
      time: new Date().toISOString(),
      region: 'local',
      resources: [],
      detail: entry.detail,
    };
    const matched: string[] = [];
    for (const [ruleId, rule] of Object.entries(this.blueprint.busRules)) {
      if (!matchesPattern(event as unknown as Record<string, unknown>, rule.pattern)) continue;
      matched.push(ruleId);
      void this.functions
        .get(rule.function)!
        .invoke(event)
        .catch((e) => this.log(`rule ${ruleId}: ${e instanceof Error ? e.message : String(e)}`));
    }
    return matched;
  }

  /** A Cognito-shaped admin token for the local JWT check. */
  issueToken(sub: string, groups: string[], ttlSeconds?: number): string {
    if (!this.jwt) throw new Error('stack not started');
    return this.jwt.issue(sub, groups, ttlSeconds);
  }

  async stop(): Promise<void> {
    this.scheduler.stop();
    this.oneOffSchedules.stop();
    await Promise.all([...this.queues.values()].map((q) => q.stop()));
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    await this.dynamo?.stop();
    this.unlock?.();
  }

  /** Synchronous last resort for process 'exit': never leave the Java process behind. */
  killNow(): void {
    this.dynamo?.killNow();
    this.unlock?.();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.endpoint);
    if (url.pathname.startsWith('/_aws/sns')) return this.handleSns(req, res);
    if (url.pathname.startsWith('/_aws/scheduler/')) return this.handleScheduler(req, res, url);
    if (url.pathname.startsWith('/_aws/s3/')) {
      const raw = await readBody(req, 64 * 1024 * 1024);
      const [status, headers, body] = this.s3.handle(
        (req.method ?? 'GET').toUpperCase(),
        url.pathname.slice('/_aws/s3'.length),
        raw === 'too-large' ? Buffer.alloc(0) : raw,
        req.headers,
      );
      res.writeHead(status, headers);
      res.end(body);
      return;
    }
    if (url.pathname.startsWith('/_local/buckets/')) return this.handleBuckets(req, res, url);
    if (url.pathname === '/_local/12345/answers' && req.method === 'POST') {
      const raw = await readBody(req, 1024 * 1024);
      const [status, body] = this.platform12345.receive(
        req.headers,
        raw === 'too-large' ? '' : raw.toString('utf8'),
      );
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return;
    }
    if (url.pathname.startsWith('/_local/wechat/')) return this.handleWeChatSandbox(req, res, url);
    if (url.pathname === '/' && (req.headers['x-tc-action'] || req.headers['x-acs-action'])) {
      const raw = await readBody(req, 1024 * 1024);
      await this.sms.handleHttp(req, res, raw === 'too-large' ? Buffer.alloc(0) : raw);
      return;
    }
    if (url.pathname === '/console' || url.pathname.startsWith('/console/')) {
      await readBody(req);
      return this.console.serve(req, res, url);
    }
    if (url.pathname.startsWith('/_local/oidc/')) {
      const raw = await readBody(req, 64 * 1024);
      return this.console.oidc(req, res, url, raw === 'too-large' ? Buffer.alloc(0) : raw);
    }
    if (url.pathname === '/local/outbox')
      return this.handleOps(req, res, new URL('/_local/outbox', this.endpoint));
    if (url.pathname === '/_local' || url.pathname.startsWith('/_local/'))
      return this.handleOps(req, res, url);
    const method = (req.method ?? 'GET').toUpperCase();
    const match = matchRoute(this.routeTable, method, url.pathname);
    if (!match) {
      await readBody(req);
      return sendGatewayError(res, 404, 'Not Found');
    }
    const body = await readBody(req);
    if (body === 'too-large') return sendGatewayError(res, 413, 'Request Entity Too Large');
    let claims: Record<string, string> | undefined;
    if (match.compiled.route.auth === 'admin-jwt') {
      const checked = this.jwt!.check(req.headers.authorization);
      if (!checked.ok)
        return sendGatewayError(res, 401, 'Unauthorized', {
          // As API Gateway's JWT authorizer says why (a missing token gets the bare challenge).
          'www-authenticate': checked.description
            ? `Bearer scope="" error="invalid_token" error_description="${checked.description}"`
            : 'Bearer',
        });
      claims = checked.claims;
    }
    const port = Number(new URL(this.endpoint).port);
    const event = toEvent(req, body, match.compiled, match.pathParameters, claims, port);
    const fn = this.functions.get(match.compiled.route.function)!;
    try {
      writeResult(res, await fn.invoke(event));
    } catch (error) {
      this.log(`${match.compiled.routeKey}: ${error instanceof Error ? error.stack : String(error)}`);
      writeInvocationError(res, error);
    }
  }

  private async handleSns(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, 1024 * 1024);
    const [status, xml] = handleSns(body === 'too-large' ? '' : body.toString('utf8'), {
      publish: (topicArn, message, attributes) => {
        const topicId = topicArn.split(':').at(-1)!.slice(`${this.blueprint.service}-`.length);
        if (!this.topics.has(topicId)) throw new Error(`Topic does not exist: ${topicArn}`);
        this.publish(topicId, message, attributes);
      },
      sms: (phoneNumber, message) => this.sms.sns(phoneNumber, message),
    });
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(xml);
  }

  private async handleScheduler(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = await readBody(req, 1024 * 1024);
    const [status, headers, answer] = handleScheduler(
      (req.method ?? 'GET').toUpperCase(),
      url.pathname.slice('/_aws/scheduler'.length),
      url.searchParams,
      body === 'too-large' ? '' : body.toString('utf8'),
      {
        groups: this.scheduleGroups,
        create: (s) => {
          this.oneOffSchedules.create({
            group: s.group,
            name: s.name,
            expression: s.expression,
            at: parseAtExpression(s.expression, s.timeZone),
            function: s.function,
            input: s.input,
            deleteAfterCompletion: s.deleteAfterCompletion,
          });
          this.log(`one-off schedule ${s.group}/${s.name} created: ${s.expression}`);
        },
        delete: (group, name) => this.oneOffSchedules.delete(group, name),
      },
    );
    res.writeHead(status, headers);
    res.end(answer);
  }

  /** PUT /_local/buckets/<id>/<name> drops an object (and notifies); GET lists, GET …/<key> reads. */
  private async handleBuckets(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body, null, 2));
    };
    const raw = await readBody(req, 64 * 1024 * 1024);
    if (raw === 'too-large') return json(413, { message: 'larger than 64 MB' });
    const [id = '', ...rest] = url.pathname.slice('/_local/buckets/'.length).split('/');
    const name = rest.map(decodeURIComponent).join('/');
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'GET' && !name) return json(200, this.buckets.list(id));
    if (method === 'GET') {
      const object = this.buckets.get(id, name);
      if (!object) return json(404, { message: `no object ${name}` });
      // Results are JSON; a dropped JSON Lines file is answered as it is.
      res.writeHead(200, {
        'content-type': name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      });
      return void res.end(object);
    }
    if (method === 'PUT' && name) {
      const key = this.buckets.drop(id, name, raw);
      return key ? json(200, { dropped: key }) : json(404, { message: `unknown bucket '${id}'` });
    }
    return json(404, { message: `no local operation ${method} ${url.pathname}` });
  }

  private async handleWeChatSandbox(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const raw = await readBody(req, 16 * 1024 * 1024);
    const path = url.pathname.slice('/_local/wechat'.length);
    // Temporary media: an operator or a test puts a file under a MediaId; media/get serves it.
    if (path.startsWith('/media/') && req.method === 'PUT') {
      const mediaId = decodeURIComponent(path.slice('/media/'.length));
      this.wechat.putMedia(
        mediaId,
        raw === 'too-large' ? Buffer.alloc(0) : raw,
        String(req.headers['content-type'] ?? 'image/jpeg'),
      );
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ mediaId }));
      return;
    }
    if (path === '/cgi-bin/media/get') {
      const media = this.wechat.getMedia(url.searchParams);
      if ('bytes' in media) {
        res.writeHead(200, {
          'content-type': media.contentType,
          'content-length': String(media.bytes.length),
        });
        res.end(media.bytes);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(media));
      }
      return;
    }
    let body: Record<string, unknown> = {};
    try {
      body = raw !== 'too-large' && raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      body = {};
    }
    const answer = this.wechat.handle(req.method ?? 'GET', path, url.searchParams, body);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  }

  /** Operator endpoints: inspect and redrive queues, fire schedules, publish, put events, auth keys. */
  private async handleOps(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body, null, 2));
    };
    const raw = await readBody(req, 1024 * 1024);
    if (raw === 'too-large') return json(413, { message: 'Request Entity Too Large' });
    let input: Record<string, unknown> = {};
    if (raw.length) {
      try {
        input = JSON.parse(raw.toString('utf8'));
      } catch {
        return json(400, { message: 'body is not JSON' });
      }
    }
    const method = req.method ?? 'GET';
    const parts = url.pathname.split('/').filter(Boolean).slice(1); // drop "_local"
    const [area, id, action] = parts;
    try {
      if (method === 'GET' && parts.length === 0) return json(200, this.surface());
      if (area === 'queues') {
        if (method === 'GET' && !id)
          return json(
            200,
            [...this.queues.values()].map((q) => q.stats()),
          );
        const queue = id ? this.queues.get(id) : undefined;
        if (!queue) return json(404, { message: `unknown queue '${id}'`, known: [...this.queues.keys()] });
        if (method === 'GET' && action === 'dead-letters') return json(200, queue.deadLetters);
        if (action === 'faults' && method === 'GET') return json(200, queue.faults);
        if (action === 'faults' && method === 'PUT') {
          queue.faults = { ...queue.faults, ...(input as Partial<typeof queue.faults>) };
          return json(200, queue.faults);
        }
        if (method === 'POST' && action === 'redrive') return json(200, { redriven: queue.redrive() });
      }
      if (area === 'schedules') {
        if (method === 'GET' && !id) {
          return json(
            200,
            this.scheduler.list().map((s) => ({
              id: s.id,
              cron: s.def.cron,
              timeZone: s.def.timeZone,
              function: s.def.function,
              next: s.next?.toISOString(),
              lastFiredAt: s.lastFiredAt?.toISOString(),
              lastResult: s.lastResult,
            })),
          );
        }
        if (method === 'GET' && id === 'one-off') {
          const view = (o: (typeof this.oneOffSchedules.fired)[number]) => ({
            ...o,
            at: o.at.toISOString(),
            createdAt: o.createdAt.toISOString(),
            firedAt: o.firedAt?.toISOString(),
          });
          return json(200, {
            pending: this.oneOffSchedules.list().map(view),
            fired: this.oneOffSchedules.fired.map(view),
          });
        }
        if (method === 'POST' && id && action === 'fire') {
          const s = await this.scheduler.fireNow(id);
          return json(200, { id: s.id, lastResult: s.lastResult, output: s.lastOutput });
        }
      }
      if (area === 'topics' && method === 'POST' && id) {
        const attributes = (input.attributes ?? {}) as Record<string, string>;
        const message =
          typeof input.message === 'string' ? input.message : JSON.stringify(input.message ?? {});
        return json(200, { deliveredTo: this.publish(id, message, attributes) });
      }
      if (area === 'events' && method === 'POST') {
        const matched = this.putEvent(
          input as { source: string; 'detail-type': string; detail: Record<string, unknown> },
        );
        return json(200, { matchedRules: matched });
      }
      if (area === 'auth' && method === 'GET' && id === 'jwks.json') return json(200, this.jwt!.jwks());
      if (area === '12345' && id === 'outbox') {
        if (method === 'GET') return json(200, this.platform12345.outbox);
        if (method === 'DELETE') return json(200, { cleared: this.platform12345.outbox.splice(0).length });
      }
      if (area === 'outbox') {
        if (method === 'GET') return json(200, this.wechat.outbox);
        if (method === 'DELETE') return json(200, { cleared: this.wechat.clearOutbox() });
      }
      if (area === 'sms') {
        if (id === 'outbox' && method === 'GET') return json(200, this.sms.outbox);
        if (id === 'outbox' && method === 'DELETE')
          return json(200, { cleared: this.sms.outbox.splice(0).length });
        if (id === 'faults' && method === 'GET') return json(200, this.sms.faults);
        if (id === 'faults' && method === 'PUT') {
          this.sms.faults = { ...this.sms.faults, ...(input as Partial<SmsFaults>) };
          return json(200, this.sms.faults);
        }
      }
      if (area === 'faults') {
        if (method === 'GET') return json(200, this.wechat.faults);
        if (method === 'PUT') {
          this.wechat.faults = { ...this.wechat.faults, ...(input as Partial<Faults>) };
          return json(200, this.wechat.faults);
        }
      }
      return json(404, { message: `no local operation ${method} ${url.pathname}` });
    } catch (error) {
      return json(400, { message: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** Variables the builders set from resources (tables, topics, secrets, schedule groups, the bus). */
function isResourceVariable(name: string): boolean {
  return (
    /^TABLE_[A-Z0-9_]+$/.test(name) ||
    /^TOPIC_[A-Z0-9_]+_ARN$/.test(name) ||
    /^BUCKET_[A-Z0-9_]+$/.test(name) ||
    name === envNames.queueMaxReceives ||
    /_SECRET_ARN$/.test(name) ||
    name.startsWith('SCHEDULE_GROUP_') ||
    name === envNames.eventBus
  );
}

/** Local name of a blueprint bucket (one definition, with the drops). */
export { localBucketName };

export const defaultDataDir = () => resolve(process.env.LOCAL_DATA_DIR ?? join(REPO_ROOT, '.local'));
