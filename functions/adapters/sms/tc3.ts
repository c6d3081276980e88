/**
 * Tencent Cloud API 3.0 request signing, TC3-HMAC-SHA256 ("签名方法 v3", e.g.
 * https://www.tencentcloud.com/document/product/382/40467), for a JSON POST to `/` with no query:
 *
 *   CanonicalRequest = POST \n / \n (empty query) \n content-type:<ct>\nhost:<host>\n \n content-type;host \n hex(sha256(payload))
 *   StringToSign     = TC3-HMAC-SHA256 \n <timestamp> \n <date>/<service>/tc3_request \n hex(sha256(CanonicalRequest))
 *   key              = HMAC(HMAC(HMAC("TC3" + secretKey, date), service), "tc3_request")
 *   Signature        = hex(HMAC(key, StringToSign))
 *
 * where date is the UTC date of the timestamp (seconds). Pure: the caller gives the time.
 * Used by the Tencent SMS gateway to sign and by the local sandbox to check.
 */
import { createHash, createHmac } from 'node:crypto';

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';
/** The body's media type; it is signed, so it must be sent exactly so. */
export const TC3_CONTENT_TYPE = 'application/json; charset=utf-8';
const SIGNED_HEADERS = 'content-type;host';

export interface Tc3Authorization {
  secretId: string;
  secretKey: string;
  /** The product, the first label of its host (`sms` for sms.tencentcloudapi.com). */
  service: string;
  /** The Host header as sent (with the port when there is one). */
  host: string;
  /** Unix time in seconds: the X-TC-Timestamp header. */
  timestamp: number;
  /** The exact body bytes sent. */
  payload: string | Buffer;
  contentType?: string;
}

export interface Tc3Request extends Tc3Authorization {
  action: string;
  version: string;
  region: string;
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** The UTC date (YYYY-MM-DD) of a Unix timestamp in seconds: the date of the credential scope. */
export const tc3Date = (timestamp: number): string => new Date(timestamp * 1000).toISOString().slice(0, 10);

/** The Authorization header value for one request. */
export function tc3Authorization(r: Tc3Authorization): string {
  const contentType = r.contentType ?? TC3_CONTENT_TYPE;
  const canonicalRequest = [
    'POST',
    '/',
    '',
    `content-type:${contentType.trim().toLowerCase()}\nhost:${r.host.trim().toLowerCase()}\n`,
    SIGNED_HEADERS,
    sha256Hex(r.payload),
  ].join('\n');
  const date = tc3Date(r.timestamp);
  const scope = `${date}/${r.service}/tc3_request`;
  const stringToSign = [TC3_ALGORITHM, String(r.timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(`TC3${r.secretKey}`, date), r.service), 'tc3_request');
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return `${TC3_ALGORITHM} Credential=${r.secretId}/${scope}, SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`;
}

/** Every header an API 3.0 JSON POST needs, signed. */
export function signTc3(r: Tc3Request): Record<string, string> {
  return {
    Authorization: tc3Authorization(r),
    'Content-Type': r.contentType ?? TC3_CONTENT_TYPE,
    Host: r.host,
    'X-TC-Action': r.action,
    'X-TC-Version': r.version,
    'X-TC-Timestamp': String(r.timestamp),
    'X-TC-Region': r.region,
  };
}
