/**
 * What driver records are about — a vehicle (its plate) or a driving licence — and how each is
 * known without being stored: a keyed hash (HMAC-SHA256 under the deployment's pepper) names the
 * record, and the proofs an owner gives (the VIN's last 6 characters, the licence's file number) are
 * kept only as salted keyed hashes, compared in constant time. A leaked table alone cannot be
 * brute-forced: the pepper is in the secrets store. Pure.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type SubjectType = 'vehicle' | 'licence';
export interface Subject {
  type: SubjectType;
  /** The keyed hash that names the record (32 hex characters). */
  key: string;
}

const keyed = (pepper: Buffer, text: string) => createHmac('sha256', pepper).update(text).digest('hex');

/** The key of a vehicle's records: its canonical plate (京A12345), whatever its plate type. */
export const vehicleKey = (pepper: Buffer, canonicalPlate: string): Subject => ({
  type: 'vehicle',
  key: keyed(pepper, `plate:${canonicalPlate}`).slice(0, 32),
});

/** The key of a licence's records: its number (an identity card number), upper case. */
export const licenceKey = (pepper: Buffer, licenceNumber: string): Subject => ({
  type: 'licence',
  key: keyed(pepper, `licence:${licenceNumber.toUpperCase()}`).slice(0, 32),
});

/** A proof (VIN last 6, file number) as stored: a fresh salt and the keyed hash of salt and proof. */
export function sealProof(pepper: Buffer, proof: string): { salt: string; hash: string } {
  const salt = randomBytes(16).toString('hex');
  return { salt, hash: proofHash(pepper, salt, proof) };
}

const proofHash = (pepper: Buffer, salt: string, proof: string) =>
  keyed(pepper, `proof:${salt}:${proof.toUpperCase().replace(/\s+/g, '')}`);

/** Whether `proof` is the one sealed as `stored`, compared in constant time. */
export function proofMatches(pepper: Buffer, stored: { salt: string; hash: string }, proof: string): boolean {
  const given = Buffer.from(proofHash(pepper, stored.salt, proof), 'hex');
  const expected = Buffer.from(stored.hash, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** 110101199001011234 → 1101**********1234: what replies, pages and views show of a licence. */
export function maskLicence(licenceNumber: string): string {
  const n = licenceNumber.toUpperCase();
  return n.length <= 8 ? '****' : `${n.slice(0, 4)}${'*'.repeat(n.length - 8)}${n.slice(-4)}`;
}

/** An opaque, stable id for a platform id in push keys and bundles (which are logged). */
export const opaque = (text: string) =>
  createHmac('sha256', 'driver-notice').update(text).digest('hex').slice(0, 24);
