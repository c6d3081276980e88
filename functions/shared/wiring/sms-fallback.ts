/**
 * SMS fallback for WeChat followers (短信备用): the follower gets a code in WeChat; the phone that is
 * to receive the fallback proves itself by texting it back (receive-sms links it; see
 * functions/adapters/dynamodb/fallback-links.ts).
 */

import { DynamoFallbackLinks } from '../../adapters/dynamodb/fallback-links.ts';
import type { SubscriberRef } from '../../core/subscribers/subscriber.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { clock } from '../clock.ts';
import { tableName } from '../config.ts';

export const fallbackLinks = new DynamoFallbackLinks(documentClient, tableName('inbound'));

export const smsFallbackStarter = {
  start: (ref: SubscriberRef) => fallbackLinks.start(ref.id, clock.now().getTime()),
};
