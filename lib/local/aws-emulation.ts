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
