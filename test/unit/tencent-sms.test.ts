/**
 * The Tencent SMS gateway without the SDK: the TC3-HMAC-SHA256 signer against Tencent's documented
 * example and against the SDK's own signer, and the gateway's request and its reading of every kind
 * of answer, against a stub server.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import * as sdkSign from 'tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTc3, TC3_CONTENT_TYPE, tc3Authorization, tc3Date } from '../../functions/adapters/sms/tc3.ts';
import { classifyTencent, TencentSmsGateway } from '../../functions/adapters/sms/tencent.ts';
import { renderSms } from '../../functions/core/sms/messages.ts';
import { listenLoopback } from '../../lib/local/ports.ts';
import { catalogue } from '../fixtures/sms.ts';

// The SDK's signer is CommonJS (`exports.default = Sign`): under ESM the default import is the
// module object; Vitest's loader may hand over the class itself. Accept both.
type SdkSign = typeof sdkSign.default.default;
const loaded = sdkSign.default as unknown as SdkSign | { default: SdkSign };
const Sign: SdkSign = 'sign3' in loaded ? loaded : loaded.default;

describe('TC3-HMAC-SHA256', () => {
  // Tencent's worked example in "Signature v3" (签名方法 v3), e.g.
  // https://www.tencentcloud.com/document/product/382/40467 (the SMS product's copy): CVM
  // DescribeInstances in ap-guangzhou at 1551113065, its body, hashes and signature. The page masks
  // the SecretId in places; the SecretKey is the one its key-derivation step names.
  const example = {
    secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
    secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
    service: 'cvm',
    host: 'cvm.tencentcloudapi.com',
    action: 'DescribeInstances',
    version: '2017-03-12',
    region: 'ap-guangzhou',
    timestamp: 1551113065,
    payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
  };

  it("reproduces the documented example's Authorization and headers", () => {
    expect(signTc3(example)).toEqual({
      Authorization:
        'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, ' +
        'SignedHeaders=content-type;host, ' +
        'Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
      'Content-Type': 'application/json; charset=utf-8',
      Host: 'cvm.tencentcloudapi.com',
      'X-TC-Action': 'DescribeInstances',
      'X-TC-Version': '2017-03-12',
      'X-TC-Timestamp': '1551113065',
      'X-TC-Region': 'ap-guangzhou',
    });
  });

  it('dates the credential in UTC (the example is 00:44 on the 26th in Beijing, the 25th in UTC)', () => {
    expect(tc3Date(1551113065)).toBe('2019-02-25');
    expect(tc3Date(1551139199)).toBe('2019-02-25');
    expect(tc3Date(1551139200)).toBe('2019-02-26');
  });

  it('changes with every signed input', () => {
    const base = tc3Authorization(example);
    for (const change of [
      { secretKey: `${example.secretKey}x` },
      { payload: `${example.payload} ` },
      { host: 'sms.tencentcloudapi.com' },
      { service: 'sms' },
      { timestamp: example.timestamp + 1 },
      { contentType: 'application/json' },
    ])
      expect(tc3Authorization({ ...example, ...change })).not.toBe(base);
  });

  const sms = (phone: string, params: string[]) => ({
    PhoneNumberSet: [phone],
    SmsSdkAppId: '1400000000',
    SignName: '城市交警',
    TemplateId: '2210001',
    TemplateParamSet: params,
    SessionContext: 'restriction#beijing#2026-11-16#morning',
  });
  it.each([
    [
      'an SMS send',
      'AKIDlocaldev',
      'local-dev-secret-key',
      1763254800,
      sms('+8613800138000', ['11月16日(周一)', '1和6', '京A12341']),
    ],
    ['just before UTC midnight', 'AKIDx', 'k', 1763337599, sms('+8613900139000', [])],
    ['at UTC midnight', 'AKIDx', 'k', 1763337600, sms('+8613900139000', ['【】"\\\n'])],
    ['the documented example', example.secretId, example.secretKey, example.timestamp, { Limit: 1 }],
  ])("gives the SDK signer's Authorization for %s", (_, secretId, secretKey, timestamp, body) => {
    const host = 'sms.tencentcloudapi.com';
    const sdk = Sign.sign3({
      method: 'POST',
      url: `https://${host}/`,
      payload: body,
      timestamp,
      service: 'sms',
      secretId,
      secretKey,
      multipart: false,
      boundary: '',
      headers: { 'Content-Type': TC3_CONTENT_TYPE },
    });
    const ours = signTc3({
      secretId,
      secretKey,
      service: 'sms',
      host,
      action: 'SendSms',
      version: '2021-01-11',
      region: 'ap-guangzhou',
      timestamp,
      payload: JSON.stringify(body),
    });
    expect(ours.Authorization).toBe(sdk);
  });
});

describe('TencentSmsGateway', () => {
  let answer: { status: number; body: string; delayMs?: number } = { status: 200, body: '{}' };
  const received: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body);
      }, answer.delayMs ?? 0);
    });
  });
  let endpoint = '';
  beforeAll(async () => {
    endpoint = `http://127.0.0.1:${await listenLoopback(server, 0)}`;
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );

  const config = {
    secretId: 'AKIDunit',
    secretKey: 'unit-secret-key',
    sdkAppId: '1400000000',
    region: 'ap-guangzhou',
    timeoutSeconds: 1,
  };
  const message = renderSms(catalogue, 'opt-out-confirmation', {}, 3);
  const send = (body: unknown, status = 200, delayMs = 0) => {
    answer = { status, body: typeof body === 'string' ? body : JSON.stringify(body), delayMs };
    return new TencentSmsGateway({ ...config, endpoint }).send({
      phone: '+8613800138000',
      message,
      reference: 'ref-1',
    });
  };
  const statusSet = (s: Record<string, unknown>) => ({
    Response: { SendStatusSet: [{ PhoneNumber: '+8613800138000', ...s }], RequestId: 'r' },
  });

  it('posts one SendSms, signed over the headers and body it sends, with exactly the fields of the API', async () => {
    received.splice(0);
    const before = Math.floor(Date.now() / 1000);
    expect(await send(statusSet({ Code: 'Ok', SerialNo: 'sid-1' }))).toEqual({
      status: 'sent',
      messageId: 'sid-1',
    });
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req).toMatchObject({ method: 'POST', url: '/' });
    expect(JSON.parse(req!.body)).toEqual({
      PhoneNumberSet: ['+8613800138000'],
      SmsSdkAppId: '1400000000',
      SignName: message.signName,
      TemplateId: message.ids.tencent,
      TemplateParamSet: message.params,
      SessionContext: 'ref-1',
    });
    const h = req!.headers;
    expect(h).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      host: endpoint.slice('http://'.length),
      'x-tc-action': 'SendSms',
      'x-tc-version': '2021-01-11',
      'x-tc-region': 'ap-guangzhou',
    });
    const timestamp = Number(h['x-tc-timestamp']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(h.authorization).toBe(
      tc3Authorization({
        secretId: config.secretId,
        secretKey: config.secretKey,
        service: 'sms',
        host: h.host!,
        timestamp,
        payload: req!.body,
      }),
    );
    expect(h.authorization).toMatch(
      new RegExp(`^TC3-HMAC-SHA256 Credential=AKIDunit/${tc3Date(timestamp)}/sms/tc3_request, `),
    );
    // Nothing secret leaves but the signature.
    expect(JSON.stringify(req)).not.toContain(config.secretKey);
  });

  it('reads each answer as the SDK-based gateway did', async () => {
    const error = (Code: string) => ({ Response: { Error: { Code, Message: 'm' }, RequestId: 'r' } });
    expect(await send(error('AuthFailure.SignatureFailure'))).toEqual({
      status: 'failed',
      code: 'AuthFailure.SignatureFailure',
      configuration: true,
    });
    expect(await send(error('InternalError.Timeout'))).toEqual({
      status: 'failed',
      code: 'InternalError.Timeout',
      configuration: false,
    });
    expect(await send(error('LimitExceeded.PhoneNumberDailyLimit'))).toEqual({
      status: 'rate-limited',
      code: 'LimitExceeded.PhoneNumberDailyLimit',
    });
    expect(await send(error('InvalidParameterValue.IncorrectPhoneNumber'))).toEqual({
      status: 'permanent',
      code: 'InvalidParameterValue.IncorrectPhoneNumber',
    });
    expect(await send(statusSet({ Code: 'FailedOperation.TemplateIncorrectOrUnapproved' }))).toEqual({
      status: 'failed',
      code: 'FailedOperation.TemplateIncorrectOrUnapproved',
      configuration: true,
    });
    expect(await send(statusSet({ Code: 'LimitExceeded.PhoneNumberThirtySecondLimit' }))).toEqual({
      status: 'rate-limited',
      code: 'LimitExceeded.PhoneNumberThirtySecondLimit',
    });
    expect(await send(statusSet({ Code: 'FailedOperation.PhoneNumberInBlacklist' }))).toEqual({
      status: 'permanent',
      code: 'FailedOperation.PhoneNumberInBlacklist',
    });
    expect(await send({ Response: { RequestId: 'r' } })).toEqual({ status: 'unknown', code: 'no-status' });
    expect(await send(statusSet({ Code: 'Ok', SerialNo: '' }))).toEqual({
      status: 'unknown',
      code: 'no-serial',
    });
  });

  it('no answer in time, a broken answer or one from in between is unknown (never retried)', async () => {
    received.splice(0);
    expect(await send(statusSet({ Code: 'Ok', SerialNo: 's' }), 200, 1500)).toEqual({
      status: 'unknown',
      code: 'TimeoutError',
    });
    expect(await send('<html>bad gateway</html>', 502)).toEqual({ status: 'unknown', code: 'http-502' });
    expect(await send('{"Response":')).toEqual({ status: 'unknown', code: 'SyntaxError' });
    expect(received).toHaveLength(3);
    const refused = await new TencentSmsGateway({ ...config, endpoint: 'http://127.0.0.1:1' }).send({
      phone: '+8613800138000',
      message,
      reference: 'r',
    });
    expect(refused).toEqual({ status: 'unknown', code: 'ECONNREFUSED' });
  });

  it('classifies codes as before', () => {
    expect(classifyTencent('Ok')).toBe('sent');
    expect(classifyTencent('InvalidParameterValue.IncorrectMobileFormat')).toBe('permanent');
    expect(classifyTencent('UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber')).toBe(
      'permanent',
    );
    expect(classifyTencent('AuthFailure.SecretIdNotFound')).toBe('failed');
  });
});
