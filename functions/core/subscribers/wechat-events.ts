/**
 * What WeChat reports about a follower outside a conversation, beside template outcomes (./events.ts):
 *  - LOCATION reports (every few seconds while they are in the account, if the account asks): kept —
 *    only their last one, two hours — for followers who turned location reports on (开启位置), and
 *    dropped for everyone else without a write;
 *  - consents to long-term subscription templates (subscribe_msg_popup_event accept/reject,
 *    subscribe_msg_change_event reject), stored per follower and template: delivery sends those
 *    templates (bizsend) to the followers who accepted them;
 *  - the report of an article mass send (MASSSENDJOBFINISH), recorded by its msg id.
 */
import type { SubscriptionConsents } from '../delivery/ports.ts';
import type { Clock } from '../time.ts';
import type { SubscriberRef, SubscriberRepository } from './subscriber.ts';

export type PlatformEvent =
  | { kind: 'location-report'; latitude: number; longitude: number; precision: number; at: number }
  | { kind: 'subscription-consent'; changes: Array<{ templateId: string; accepted: boolean }> }
  | { kind: 'mass-send-finished'; msgId: string; status: string; sent: number; errors: number };

export interface WeChatEventDeps {
  subscribers: Pick<SubscriberRepository, 'get'>;
  locations: {
    store(
      openid: string,
      at: Date,
      where: { latitude: number; longitude: number; precision: number },
    ): Promise<void>;
  };
  consents: Pick<SubscriptionConsents, 'record'>;
  outcomes: {
    record(appId: string, msgId: string, openid: string, status: string, at: string): Promise<void>;
  };
  clock: Clock;
}

export async function weChatEventReported(
  appId: string,
  ref: SubscriberRef,
  event: PlatformEvent,
  deps: WeChatEventDeps,
): Promise<'stored' | 'dropped'> {
  const now = deps.clock.now();
  switch (event.kind) {
    case 'location-report': {
      const follower = await deps.subscribers.get(ref);
      if (!follower?.locationReports) return 'dropped';
      const at = event.at > 0 && event.at <= now.getTime() ? new Date(event.at) : now;
      const { latitude, longitude, precision } = event;
      await deps.locations.store(ref.id, at, { latitude, longitude, precision });
      return 'stored';
    }
    case 'subscription-consent':
      if (event.changes.length === 0) return 'dropped';
      await deps.consents.record(ref.id, event.changes, now.toISOString());
      return 'stored';
    case 'mass-send-finished':
      await deps.outcomes.record(
        appId,
        event.msgId,
        ref.id,
        `${event.status} (sent ${event.sent}, errors ${event.errors})`,
        now.toISOString(),
      );
      return 'stored';
  }
}
