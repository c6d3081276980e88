/**
 * The local sandbox of the traffic-management platform (`npm run platform`): builds the platform's
 * events from a few words on the command line and posts them as the platform would — signed with
 * the integration's secret (functions/adapters/integrations/signature.ts), a fresh nonce each time
 * — or drops a JSON Lines file into the local bucket (the nightly S3 drop on AWS).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { signRequest } from '../../functions/adapters/integrations/signature.ts';

export const DRIVER_EVENTS_PATH = '/v1/integrations/driver-events';

export interface SignedPost {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A batch signed now (or at `timestampS`), with a fresh nonce unless given. */
export function signedBatch(
  integration: { id: string; secret: string },
  events: readonly unknown[],
  at: { timestampS?: number; nonce?: string } = {},
): SignedPost {
  const body = JSON.stringify({ events });
  const headers = signRequest(
    integration,
    { method: 'POST', path: DRIVER_EVENTS_PATH, body },
    {
      timestampS: at.timestampS ?? Math.floor(Date.now() / 1000),
      nonce: at.nonce ?? randomBytes(12).toString('hex'),
    },
  );
  return { path: DRIVER_EVENTS_PATH, headers: { ...headers, 'content-type': 'application/json' }, body };
}

const id = (kind: string) => `${kind}-${randomUUID().slice(0, 8)}`;
const now = () => new Date().toISOString();

/** One event of each kind from the CLI's words. */
export const platformEvents = {
  vehicle: (plate: string, o: { vin: string; phone?: string; plateType?: string }) => ({
    eventId: id('veh'),
    kind: 'vehicle-registry',
    occurredAt: now(),
    plate,
    plateType: o.plateType ?? '02',
    vinLast6: o.vin.slice(-6),
    ...(o.phone ? { phone: o.phone } : {}),
  }),
  licence: (licenceNumber: string, o: { file: string; phone?: string }) => ({
    eventId: id('lic'),
    kind: 'licence-registry',
    occurredAt: now(),
    licenceNumber,
    fileNumber: o.file,
    ...(o.phone ? { phone: o.phone } : {}),
  }),
  violation: (
    plate: string,
    o: {
      act: string;
      place: string;
      fine: number;
      points: number;
      at?: string;
      photos?: string[];
      plateType?: string;
      state?: string;
      violationId?: string;
    },
  ) => ({
    eventId: id('vio'),
    kind: 'violation',
    occurredAt: now(),
    violationId: o.violationId ?? id('V'),
    plate,
    plateType: o.plateType ?? '02',
    time: o.at ?? now(),
    place: o.place,
    act: o.act,
    fineYuan: o.fine,
    points: o.points,
    photos: o.photos ?? [],
    state: o.state ?? 'unprocessed',
  }),
  points: (licenceNumber: string, points: number) => ({
    eventId: id('pts'),
    kind: 'points',
    occurredAt: now(),
    licenceNumber,
    points,
  }),
  due: (kind: 'inspection-due' | 'insurance-expiry', plate: string, dueDate: string, plateType = '02') => ({
    eventId: id(kind === 'inspection-due' ? 'ins' : 'sur'),
    kind,
    occurredAt: now(),
    plate,
    plateType,
    dueDate,
  }),
  renewal: (licenceNumber: string, dueDate: string) => ({
    eventId: id('ren'),
    kind: 'licence-renewal',
    occurredAt: now(),
    licenceNumber,
    dueDate,
  }),
};
