/**
 * The function's one traced SNS client, as the topics it publishes to. Only the functions whose
 * blueprint entry `publishes` import this module (functions/shared/clients/dynamodb.ts says why).
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { snsTopics } from '../../adapters/sns/publisher.ts';
import { traced } from '../powertools.ts';

export const topics = snsTopics(traced(new SNSClient({})));
