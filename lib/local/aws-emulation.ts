/**
 * The slice of the AWS wire protocols the handlers use, served by the local stack so the handlers'
 * AWS SDK clients work unchanged (AWS_ENDPOINT_URL_SNS points here): SNS Publish and PublishBatch
 * (query protocol, XML responses), fanned out to the local topics, and Publish to a phone number
 * (SNS SMS), recorded by the SMS sandbox.
 */
import { randomUUID } from 'node:crypto';

export interface SnsTarget {
  publish(topicArn: string, message: string, attributes: Record<string, string>): void;
  /** Publish to a phone number (SNS SMS): the message id, or the SNS error code to answer. */
  sms?(phoneNumber: string, message: string): { messageId: string } | { error: string };
}

function attributesFrom(form: URLSearchParams, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 1; form.has(`${prefix}.entry.${i}.Name`); i++) {
    out[form.get(`${prefix}.entry.${i}.Name`)!] = form.get(`${prefix}.entry.${i}.Value.StringValue`) ?? '';
  }
  return out;
}

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Handles one SNS query-protocol request; returns [status, xml]. */
export function handleSns(body: string, target: SnsTarget): [number, string] {
  const form = new URLSearchParams(body);
  const action = form.get('Action');
  const ns = 'xmlns="http://sns.amazonaws.com/doc/2010-03-31/"';
  const meta = `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;
  try {
    if (action === 'Publish' && form.has('PhoneNumber') && target.sms) {
      const r = target.sms(form.get('PhoneNumber')!, form.get('Message') ?? '');
      if ('error' in r)
        return [
          400,
          `<ErrorResponse ${ns}><Error><Type>Sender</Type><Code>${xmlEscape(r.error)}</Code><Message>sandbox</Message></Error>${meta}</ErrorResponse>`,
        ];
      return [
        200,
        `<PublishResponse ${ns}><PublishResult><MessageId>${r.messageId}</MessageId></PublishResult>${meta}</PublishResponse>`,
      ];
    }
    if (action === 'Publish') {
      target.publish(
        form.get('TopicArn') ?? '',
        form.get('Message') ?? '',
        attributesFrom(form, 'MessageAttributes'),
      );
      return [
        200,
        `<PublishResponse ${ns}><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult>${meta}</PublishResponse>`,
      ];
    }
    if (action === 'PublishBatch') {
      const topic = form.get('TopicArn') ?? '';
      const ok: string[] = [];
      for (let i = 1; form.has(`PublishBatchRequestEntries.member.${i}.Id`); i++) {
        const p = `PublishBatchRequestEntries.member.${i}`;
        target.publish(topic, form.get(`${p}.Message`) ?? '', attributesFrom(form, `${p}.MessageAttributes`));
        ok.push(
          `<member><Id>${xmlEscape(form.get(`${p}.Id`)!)}</Id><MessageId>${randomUUID()}</MessageId></member>`,
        );
      }
      return [
        200,
        `<PublishBatchResponse ${ns}><PublishBatchResult><Successful>${ok.join('')}</Successful><Failed/></PublishBatchResult>${meta}</PublishBatchResponse>`,
      ];
    }
    return [
      400,
      `<ErrorResponse ${ns}><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${xmlEscape(action ?? '')} is not emulated locally</Message></Error>${meta}</ErrorResponse>`,
    ];
  } catch (error) {
    return [
      404,
      `<ErrorResponse ${ns}><Error><Type>Sender</Type><Code>NotFound</Code><Message>${xmlEscape((error as Error).message)}</Message></Error>${meta}</ErrorResponse>`,
    ];
  }
}

/** A schedule group as the local stack knows it: what its schedules may invoke, with which role. */
export interface LocalScheduleGroup {
  name: string;
  functionId: string;
  functionArn: string;
  roleArn: string;
}

export interface SchedulerTarget {
  groups: readonly LocalScheduleGroup[];
  create(s: {
    group: string;
    name: string;
    expression: string;
    timeZone: string;
    function: string;
    input: unknown;
    deleteAfterCompletion: boolean;
  }): void;
  delete(group: string, name: string): void;
}

type SchedulerAnswer = [number, Record<string, string>, string];
const schedulerError = (status: number, type: string, message: string): SchedulerAnswer => [
  status,
  { 'content-type': 'application/json', 'x-amzn-errortype': type },
  JSON.stringify({ Message: message }),
];

/**
 * EventBridge Scheduler's CreateSchedule and DeleteSchedule (REST-JSON, `/schedules/{Name}`), as the
 * handlers call them for one-off schedules (AWS_ENDPOINT_URL_SCHEDULER points here). A schedule
 * must name a known group, and that group's function and role, as the group's IAM allows on AWS.
 */
export function handleScheduler(
  method: string,
  path: string,
  query: URLSearchParams,
  body: string,
  target: SchedulerTarget,
): SchedulerAnswer {
  const m = /^\/schedules\/([0-9a-zA-Z_.-]{1,64})$/.exec(path);
  if (!m) return schedulerError(404, 'ResourceNotFoundException', `no such operation: ${method} ${path}`);
  const name = m[1]!;
  try {
    if (method === 'DELETE') {
      const group = query.get('groupName') ?? 'default';
      target.delete(group, name);
      return [200, { 'content-type': 'application/json' }, '{}'];
    }
    if (method !== 'POST')
      return schedulerError(405, 'ValidationException', `${method} is not supported locally`);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return schedulerError(400, 'ValidationException', 'body is not JSON');
    }
    const groupName = typeof input.GroupName === 'string' ? input.GroupName : 'default';
    const group = target.groups.find((g) => g.name === groupName);
    if (!group)
      return schedulerError(404, 'ResourceNotFoundException', `Schedule group ${groupName} does not exist.`);
    const window = input.FlexibleTimeWindow as { Mode?: string } | undefined;
    if (window?.Mode !== 'OFF' && window?.Mode !== 'FLEXIBLE')
      return schedulerError(
        400,
        'ValidationException',
        'FlexibleTimeWindow (Mode OFF or FLEXIBLE) is required',
      );
    const t = (input.Target ?? {}) as Record<string, unknown>;
    if (t.Arn !== group.functionArn || t.RoleArn !== group.roleArn)
      return schedulerError(
        400,
        'ValidationException',
        `schedules in ${groupName} may only invoke ${group.functionArn} with role ${group.roleArn}`,
      );
    let payload: unknown = {};
    try {
      payload = typeof t.Input === 'string' ? JSON.parse(t.Input) : {};
    } catch {
      return schedulerError(400, 'ValidationException', 'Target.Input is not JSON');
    }
    target.create({
      group: groupName,
      name,
      expression: String(input.ScheduleExpression ?? ''),
      timeZone:
        typeof input.ScheduleExpressionTimezone === 'string' ? input.ScheduleExpressionTimezone : 'UTC',
      function: group.functionId,
      input: payload,
      deleteAfterCompletion: input.ActionAfterCompletion === 'DELETE',
    });
    return [
      200,
      { 'content-type': 'application/json' },
      JSON.stringify({ ScheduleArn: `arn:aws:scheduler:local:000000000000:schedule/${groupName}/${name}` }),
    ];
  } catch (error) {
    const e = error as { type?: string; status?: number; message?: string };
    if (e.type && e.status) return schedulerError(e.status, e.type, e.message ?? e.type);
    throw error;
  }
}
