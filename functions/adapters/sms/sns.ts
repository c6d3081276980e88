/**
 * Amazon SNS `Publish` to a phone number, for deployments in regions where SNS SMS is offered (not
 * the China regions: notify.md §3.1). SNS has no templates: it sends the rendered text, sign included.
 * The function needs `sns:Publish` on `*` (publishing to a number has no resource ARN).
 */
import {
  InvalidParameterException,
  InvalidParameterValueException,
  OptedOutException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { errorName } from '../../core/errors.ts';
import type { OutboundSms, SendResult, SmsGateway } from '../../core/sms/ports.ts';

export class SnsSmsGateway implements SmsGateway {
  readonly provider = 'sns' as const;
  private readonly client: SNSClient;

  constructor(config: { endpoint?: string; region?: string; client?: SNSClient }) {
    this.client =
      config.client ??
      new SNSClient({
        maxAttempts: 1,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        ...(config.region ? { region: config.region } : {}),
      });
  }

  async send(sms: OutboundSms): Promise<SendResult> {
    try {
      const res = await this.client.send(
        new PublishCommand({
          PhoneNumber: sms.phone,
          Message: sms.message.text,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          },
        }),
      );
      return res.MessageId
        ? { status: 'sent', messageId: res.MessageId }
        : { status: 'unknown', code: 'no-id' };
    } catch (error) {
      if (error instanceof OptedOutException) return { status: 'permanent', code: error.name };
      if (error instanceof InvalidParameterException || error instanceof InvalidParameterValueException)
        return { status: 'permanent', code: error.name };
      if (error instanceof ThrottledException)
        return { status: 'failed', code: error.name, configuration: false };
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status && status < 500)
        return { status: 'failed', code: errorName(error), configuration: status === 403 };
      return { status: 'unknown', code: errorName(error) || 'network' };
    }
  }
}
