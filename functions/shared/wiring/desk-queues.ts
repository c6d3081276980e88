/**
 * Wiring: where desk jobs go (desk-answers, desk-media), for the functions whose blueprint entry
 * publishes them; topics are looked up when used, so each publishes only what it is granted.
 */
import type { DeskDeps } from '../../core/desk/ports.ts';
import { topics } from '../clients/sns.ts';
import { topicArn } from '../config.ts';

export const deskQueues: DeskDeps['queues'] = {
  answer: (job) => topics.publish(topicArn('desk-answers'), job),
  media: (job) => topics.publish(topicArn('desk-media'), job),
};
