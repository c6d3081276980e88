/**
 * The webhook pipeline with in-memory ports: the official sample end to end, every bad input the
 * issue lists (none is a 500, none stores anything), retries with identical bodies, the deadline
 * and the previous-key fallback.
 */
import { describe, expect, it, vi } from 'vitest';
import { staticAccounts } from '../../../functions/adapters/wechat/accounts.ts';
import { aesKeyOf, encrypt, signature } from '../../../functions/adapters/wechat/crypto.ts';
import {
  type AsyncReplyJob,
  receive,
  verifyUrl,
  type WebhookDeps,
} from '../../../functions/adapters/wechat/webhook.ts';
import type { Inbound } from '../../../functions/core/conversation/converse.ts';
import { buildRequest, messageXml, openReply } from '../../../lib/local/wechat-user.ts';
import type { WeChatAccount } from '../../../schemas/wechat.ts';
import { MemoryInboundLog } from '../../fixtures/memory/inbound-log.ts';
import { V1, V1_COMPATIBLE_BODY, v1Account } from '../../fixtures/wechat.ts';

const NEW_KEY = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';

function harness(
  account: WeChatAccount,
  options: Partial<WebhookDeps> & { reply?: (i: Inbound) => Promise<string | null> } = {},
) {
  const inbound = new MemoryInboundLog();
  const calls: Inbound[] = [];
  const jobs: AsyncReplyJob[] = [];
  const metrics: string[] = [];
  const logs: Array<{ message: string; details: Record<string, unknown> }> = [];
  const deps: WebhookDeps = {
    accounts: staticAccounts([account]),
    inbound,
    converse: async (_a, _ref, i) => {
      calls.push(i);
      return options.reply ? options.reply(i) : `echo: ${i.kind === 'text' ? i.text : i.kind}`;
    },
    templateJobFinished: async () => {},
    windowOpened: async () => {},
    event: async () => {},
    enqueueAsyncReply: async (job) => {
      jobs.push(job);
    },
    now: Date.now,
    maxSkewSeconds: 0,
    budgetMs: 3500,
    retryWaitMs: 50,
    log: (message, details) => logs.push({ message, details }),
    metric: (name, value) => {
      for (let i = 0; i < value; i++) metrics.push(name);
    },
    ...options,
  };
  const post = (query: string, body: string, accountId = account.id) =>
    receive(
      {
        accountId,
        query: Object.fromEntries(new URLSearchParams(query)),
        rawQueryString: query,
        body,
        startedAt: Date.now(),
      },
      deps,
    );
  return { deps, inbound, calls, jobs, metrics, logs, post };
}

const v1Query = `signature=${V1.signature}&timestamp=${V1.timestamp}&nonce=${V1.nonce}&openid=oyORnuP8q7ou2gfYjqLzSIWZf0rs&encrypt_type=aes&msg_signature=${V1.msgSignature}`;

describe('the official sample through the webhook', () => {
  it('verifies, decrypts (decrypted XML only), keeps the 64-bit MsgId exact, and replies encrypted', async () => {
    const h = harness(v1Account());
    const res = await h.post(v1Query, V1_COMPATIBLE_BODY);
    expect(res.status).toBe(200);
    expect(h.calls).toEqual([{ kind: 'text', text: 'abcdteT' }]);
    expect([...h.inbound.records.keys()]).toEqual(['v1#oyORnuP8q7ou2gfYjqLzSIWZf0rs#6054768590064713728']);
    const reply = openReply(v1Account(), res.body);
    expect(reply.content).toBe('echo: abcdteT');
    expect(reply.xml).toContain('<ToUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></ToUserName>');
    expect(reply.xml).toContain('<FromUserName><![CDATA[gh_10f6c3c3ac5a]]></FromUserName>');
    expect(reply.xml).toMatch(/<CreateTime>\d{10}<\/CreateTime>/);
  });

  it('answers URL verification with echostr verbatim', async () => {
    const h = harness(v1Account());
    const q = `signature=${V1.signature}&timestamp=${V1.timestamp}&nonce=${V1.nonce}&echostr=shr5ch`;
    const ok = await verifyUrl(
      {
        accountId: 'v1',
        query: Object.fromEntries(new URLSearchParams(q)),
        rawQueryString: q,
        body: '',
        startedAt: 0,
      },
      h.deps,
    );
    expect(ok).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', body: 'shr5ch' });
    const bad = q.replace(V1.signature.slice(-1), '0');
    expect(
      (
        await verifyUrl(
          {
            accountId: 'v1',
            query: Object.fromEntries(new URLSearchParams(bad)),
            rawQueryString: bad,
            body: '',
            startedAt: 0,
          },
          h.deps,
        )
      ).status,
    ).toBe(401);
  });
});

describe('bad input: never a 500, never stored state', () => {
  const sign = (overrides: Record<string, string> = {}) => {
    const q = new URLSearchParams({
      signature: V1.signature,
      timestamp: V1.timestamp,
      nonce: V1.nonce,
      ...overrides,
    });
    return q.toString();
  };
  const resign = (encrypted: string) =>
    `${sign({ encrypt_type: 'aes', msg_signature: signature(V1.token, V1.timestamp, V1.nonce, encrypted) })}`;
  const envelope = (encrypted: string) =>
    `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
  const tampered = (() => {
    const b = Buffer.from(V1.encrypt, 'base64');
    b[40]! ^= 1;
    return b.toString('base64');
  })();
  const wrongAppId = encrypt('<xml></xml>', aesKeyOf(V1.aesKey), 'wx0000000000000000');
  const plainText = messageXml({ kind: 'text', text: 'hi', msgId: '1' }, 'o1', 'gh_x', 1409735668);

  it.each([
    [
      'a bad signature',
      v1Query.replace(V1.signature, `${V1.signature.slice(0, -1)}b`),
      V1_COMPATIBLE_BODY,
      401,
    ],
    [
      'a bad msg_signature',
      v1Query.replace(V1.msgSignature, `${V1.msgSignature.slice(0, -1)}b`),
      V1_COMPATIBLE_BODY,
      401,
    ],
    ['a missing msg_signature', v1Query.replace(/&msg_signature=[0-9a-f]+/, ''), V1_COMPATIBLE_BODY, 401],
    ['tampered ciphertext (re-signed)', resign(tampered), envelope(tampered), 400],
    ['a wrong appId trailer', resign(wrongAppId), envelope(wrongAppId), 400],
    [
      'invalid padding',
      resign(Buffer.alloc(32, 7).toString('base64')),
      envelope(Buffer.alloc(32, 7).toString('base64')),
      400,
    ],
    ['base64 garbage', resign('!!!!'), envelope('!!!!'), 400],
    ['a truncated body', v1Query, V1_COMPATIBLE_BODY.slice(0, 200), 400],
    ['a body over 64 KB', v1Query, `<xml><Content>${'x'.repeat(70_000)}</Content></xml>`, 413],
    [
      'a DOCTYPE entity bomb',
      sign(),
      `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>`,
      400,
    ],
    ['non-XML (a plaintext body, which this account refuses)', sign(), '{"json": true}', 403],
    ['duplicate query keys', `${v1Query}&nonce=${V1.nonce}`, V1_COMPATIBLE_BODY, 400],
  ])('%s', async (_name, query, body, status) => {
    const h = harness(v1Account());
    const res = await h.post(query, body);
    expect(res.status).toBe(status);
    expect(h.calls).toEqual([]);
    expect(h.inbound.records.size).toBe(0);
    expect(h.metrics).toEqual([]); // unauthenticated junk is not counted as an unreadable message
  });

  describe('authenticated but unreadable: success (so WeChat does not retry and apologise), logged and counted', () => {
    const encryptedAs = (xml: string) => {
      const enc = encrypt(xml, aesKeyOf(V1.aesKey), V1.appId);
      return { query: resign(enc), body: envelope(enc) };
    };
    const noSender =
      '<xml><ToUserName><![CDATA[gh_x]]></ToUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[限行]]></Content><MsgId>1</MsgId></xml>';
    const noContent =
      '<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><MsgId>2</MsgId></xml>';
    const badTime =
      '<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>yesterday</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>';
    const noEvent =
      '<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType></xml>';

    it.each([
      ['decrypted content that is not XML', 'not xml', 'body is not well-formed XML'],
      ['a decrypted root that is not <xml>', '<msg><Content>x</Content></msg>', 'root element must be <xml>'],
      [
        'a decrypted tag the parser refuses',
        '<xml><__proto__>x</__proto__></xml>',
        'body cannot be parsed safely',
      ],
      ['no FromUserName', noSender, 'missing FromUserName'],
      ['a text message without Content', noContent, 'missing Content'],
      ['a CreateTime that is not a number', badTime, 'missing CreateTime'],
      ['an event without Event', noEvent, 'missing Event'],
    ])('encrypted: %s', async (_name, xml, reason) => {
      const h = harness(v1Account());
      const req = encryptedAs(xml);
      expect(await h.post(req.query, req.body)).toEqual({
        status: 200,
        contentType: 'text/plain; charset=utf-8',
        body: 'success',
      });
      expect(h.calls).toEqual([]);
      expect(h.inbound.records.size).toBe(0);
      expect(h.metrics).toEqual(['WeChatMessageUnreadable']);
      expect(h.logs).toEqual([
        {
          message: 'wechat message authenticated but unreadable; answered success',
          details: { account: 'v1', encrypted: true, reason },
        },
      ]);
    });

    it.each([
      ['JSON', '{"json": true}', 'body is not well-formed XML'],
      [
        'a tag the parser refuses',
        '<xml><__proto__>x</__proto__><MsgType>text</MsgType></xml>',
        'body cannot be parsed safely',
      ],
      ['no FromUserName', noSender, 'missing FromUserName'],
    ])('plain mode, signature good: %s', async (_name, body, reason) => {
      const h = harness(v1Account({ mode: 'plain' }));
      expect(await h.post(sign(), body)).toMatchObject({ status: 200, body: 'success' });
      expect(h.calls).toEqual([]);
      expect(h.inbound.records.size).toBe(0);
      expect(h.metrics).toEqual(['WeChatMessageUnreadable']);
      expect(h.logs[0]?.details).toEqual({ account: 'v1', encrypted: false, reason });
    });

    it.each([
      ['2,100 characters', 'o'.repeat(2100)],
      ['65 characters', `o${'A'.repeat(64)}`],
      ['a space', 'oAbc def'],
      ['a slash and a hash', 'o#x/y'],
      ['a CJK character', 'o用户'],
      ['a NUL', 'oAbc\u0000'],
    ])(
      'encrypted, a sender that is not an openid (%s): success, nothing stored, logged and counted',
      async (_name, from) => {
        const h = harness(v1Account());
        const req = encryptedAs(
          messageXml({ kind: 'text', text: '绑定 京A12345', msgId: '9' }, from, 'gh_x', 1),
        );
        expect(await h.post(req.query, req.body)).toMatchObject({ status: 200, body: 'success' });
        expect(h.calls).toEqual([]);
        expect(h.inbound.records.size).toBe(0);
        expect(h.jobs).toEqual([]);
        expect(h.metrics).toEqual(['WeChatSenderRefused']);
        expect(h.logs).toEqual([
          {
            message: 'wechat message from a sender that is not an openid; answered success',
            details: { account: 'v1', length: from.length },
          },
        ]);
      },
    );

    it('takes a sender that is an openid (28 characters of the platform alphabet)', async () => {
      const h = harness(v1Account());
      const req = encryptedAs(
        messageXml({ kind: 'text', text: '限行', msgId: '10' }, 'oyORnuP8q7ou2gfYjqLzSIWZf0rs', 'gh_x', 1),
      );
      expect((await h.post(req.query, req.body)).status).toBe(200);
      expect(h.calls).toEqual([{ kind: 'text', text: '限行' }]);
      expect(h.metrics).toEqual([]);
    });

    it('keeps the 4xx when the signature of an unreadable body does not verify', async () => {
      const plain = harness(v1Account({ mode: 'plain' }));
      const forged = sign({ signature: `${V1.signature.slice(0, -1)}0` });
      expect((await plain.post(forged, '{"json": true}')).status).toBe(401);
      const aes = harness(v1Account());
      const enc = encrypt('not xml', aesKeyOf(V1.aesKey), V1.appId);
      const badMsgSignature = sign({ encrypt_type: 'aes', msg_signature: '0'.repeat(40) });
      expect((await aes.post(badMsgSignature, envelope(enc))).status).toBe(401);
      expect([...plain.metrics, ...aes.metrics]).toEqual([]);
    });
  });

  it('refuses plaintext for a compatible-mode account too: no signature covers a plaintext body (403)', async () => {
    const h = harness(v1Account({ mode: 'compatible' }));
    const forged = messageXml({ kind: 'text', text: 'TD', msgId: '1' }, 'victim', 'gh_x', 1409735668);
    expect((await h.post(sign(), forged)).status).toBe(403);
    expect(h.calls).toEqual([]);
  });

  it('binds a plain-mode query to its message: the same query with another body is a replay (401)', async () => {
    const h = harness(v1Account({ mode: 'plain' }));
    const query = sign();
    expect((await h.post(query, plainText)).status).toBe(200);
    expect((await h.post(query, plainText)).body).toContain('echo: hi'); // WeChat's retry: replayed
    const forged = messageXml({ kind: 'text', text: 'TD', msgId: '2' }, 'victim', 'gh_x', 1409735668);
    expect((await h.post(query, forged)).status).toBe(401);
    expect(h.calls).toHaveLength(1);
  });

  it('answers 400, not 500, for malformed query encoding (before any signature is checked)', async () => {
    const h = harness(v1Account({ mode: 'plain' }));
    expect((await h.post(`${sign()}&%E0=1`, plainText)).status).toBe(400);
    expect(h.calls).toEqual([]);
  });

  it('gives one answer for every decryption failure (no padding oracle)', async () => {
    const h = harness(v1Account());
    const answers = new Set<string>();
    for (const enc of [tampered, wrongAppId, Buffer.alloc(32, 7).toString('base64')])
      answers.add((await h.post(resign(enc), envelope(enc))).body);
    expect([...answers]).toEqual(['cannot decrypt']);
  });

  it('accepts a message whose text mentions <!doctype> inside CDATA', async () => {
    const account = v1Account({ mode: 'safe' });
    const h = harness(account);
    const req = buildRequest(
      account,
      messageXml({ kind: 'text', text: '<!doctype html> 怎么写' }, 'o5', 'gh_x', 1),
      { encrypted: true },
    );
    expect(openReply(account, (await h.post(req.query, req.body)).body).content).toBe(
      'echo: <!doctype html> 怎么写',
    );
  });

  it('refuses plaintext for a safe-mode account (403)', async () => {
    const h = harness(v1Account({ mode: 'safe' }));
    expect((await h.post(sign(), plainText)).status).toBe(403);
    expect(h.inbound.records.size).toBe(0);
  });

  it('accepts plaintext for a plain-mode account', async () => {
    const h = harness(v1Account({ mode: 'plain' }));
    const res = await h.post(sign(), plainText);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<Content><![CDATA[echo: hi]]></Content>');
  });

  it('rejects a stale timestamp when the freshness window is on (401)', async () => {
    const h = harness(v1Account(), { maxSkewSeconds: 300 });
    expect((await h.post(v1Query, V1_COMPATIBLE_BODY)).status).toBe(401);
    expect(h.inbound.records.size).toBe(0);
  });

  it('answers 404 for an unknown account', async () => {
    const h = harness(v1Account());
    expect((await h.post(v1Query, V1_COMPATIBLE_BODY, 'nope')).status).toBe(404);
  });

  it('splits ]]> and keeps emoji in a reply that echoes user text', async () => {
    const account = v1Account({ mode: 'safe' });
    const h = harness(account);
    const xml = messageXml(
      { kind: 'text', text: 'a]]>b 🚗 <x>' },
      'o2',
      'gh_x',
      Math.floor(Date.now() / 1000),
    );
    const req = buildRequest(account, xml, { encrypted: true });
    const res = await h.post(req.query, req.body);
    expect(h.calls).toEqual([{ kind: 'text', text: 'a]]>b 🚗 <x>' }]);
    expect(openReply(account, res.body).content).toBe('echo: a]]>b 🚗 <x>');
  });

  it('answers success for message types it does not handle, and stores nothing for them', async () => {
    const account = v1Account({ mode: 'safe' });
    const h = harness(account);
    const xml = messageXml(
      { kind: 'event', event: 'LOCATION', extra: { Latitude: '23.1', Longitude: '113.3' } },
      'o3',
      'gh_x',
      1,
    );
    const req = buildRequest(account, xml, { encrypted: true });
    expect(await h.post(req.query, req.body)).toMatchObject({ status: 200, body: 'success' });
    expect(h.inbound.records.size).toBe(0);
  });
});

describe('retries and the deadline', () => {
  const account = v1Account({ mode: 'safe' });
  const request = (text = '限行') =>
    buildRequest(
      account,
      messageXml({ kind: 'text', text }, 'o-retry', 'gh_x', Math.floor(Date.now() / 1000)),
      { encrypted: true },
    );

  it('a message delivered three times (identical bodies) has one effect and the same reply each time', async () => {
    const h = harness(account);
    const req = request();
    const replies = [];
    for (let i = 0; i < 3; i++)
      replies.push(openReply(account, (await h.post(req.query, req.body)).body).content);
    expect(h.calls).toHaveLength(1);
    expect(replies).toEqual(['echo: 限行', 'echo: 限行', 'echo: 限行']);
  });

  it('past the budget: answers success, hands off once; retries neither converse again nor enqueue again', async () => {
    let finish: (v: string) => void = () => {};
    const h = harness(account, { budgetMs: 50, reply: () => new Promise<string>((r) => (finish = r)) });
    const req = request();
    expect((await h.post(req.query, req.body)).body).toBe('success');
    expect(h.jobs).toHaveLength(1);
    expect(h.jobs[0]).toMatchObject({
      accountId: 'v1',
      openid: 'o-retry',
      inbound: { kind: 'text', text: '限行' },
    });
    expect((await h.post(req.query, req.body)).body).toBe('success'); // WeChat's retry at 5 s
    finish('late answer');
    await vi.waitFor(() => expect([...h.inbound.records.values()][0]?.state).toBe('done'));
    expect((await h.post(req.query, req.body)).body).toBe('success'); // retry at 10 s: the async path owns it
    expect(h.calls).toHaveLength(1);
    expect(h.jobs).toHaveLength(1);
    expect([...h.inbound.records.values()][0]).toMatchObject({
      async: true,
      reply: expect.stringContaining('late answer'),
    });
  });

  it('a failed hand-off (publish error) is retried by WeChat’s next delivery, not lost', async () => {
    let fail = true;
    const h = harness(account, {
      budgetMs: 10,
      reply: () => new Promise<string>(() => {}),
      enqueueAsyncReply: async () => {
        if (fail) throw new Error('SNS unavailable');
      },
    });
    const req = request();
    await expect(h.post(req.query, req.body)).rejects.toThrow('SNS unavailable');
    fail = false;
    expect((await h.post(req.query, req.body)).body).toBe('success');
    expect([...h.inbound.records.values()][0]?.async).toBe(true);
  });

  it('a template-finished event whose recording failed can be recorded by WeChat’s retry', async () => {
    let fail = true;
    const recorded: string[] = [];
    const h = harness(account, {
      templateJobFinished: async (_a, _r, msgId, status) => {
        if (fail) throw new Error('throttled');
        recorded.push(`${msgId}:${status}`);
      },
    });
    const req = buildRequest(
      account,
      messageXml(
        { kind: 'event', event: 'TEMPLATESENDJOBFINISH', extra: { MsgID: '200163836', Status: 'success' } },
        'o6',
        'gh_x',
        1395658920,
      ),
      { encrypted: true },
    );
    await expect(h.post(req.query, req.body)).rejects.toThrow('throttled');
    fail = false;
    expect((await h.post(req.query, req.body)).body).toBe('success');
    expect(recorded).toEqual(['200163836:success']);
  });

  it('a conversation that fails transiently is answered success and handed off', async () => {
    const h = harness(account, { reply: () => Promise.reject(new Error('DynamoDB throttled')) });
    const req = request();
    expect((await h.post(req.query, req.body)).body).toBe('success');
    expect(h.jobs).toHaveLength(1);
  });
});

describe('EncodingAESKey rotation', () => {
  it('decrypts with the previous key when the current one fails, and replies with the key that worked', async () => {
    const rotated = v1Account({ mode: 'safe', encodingAesKey: NEW_KEY, previousEncodingAesKey: V1.aesKey });
    const h = harness(rotated);
    const old = buildRequest(
      v1Account({ mode: 'safe' }),
      messageXml({ kind: 'text', text: 'old key' }, 'o4', 'gh_x', 1),
      { encrypted: true },
    );
    const res = await h.post(old.query, old.body);
    expect(openReply(rotated, res.body, V1.aesKey).content).toBe('echo: old key');
    expect(() => openReply(rotated, res.body)).toThrow();
    const fresh = buildRequest(rotated, messageXml({ kind: 'text', text: 'new key' }, 'o4', 'gh_x', 2), {
      encrypted: true,
    });
    expect(openReply(rotated, (await h.post(fresh.query, fresh.body)).body).content).toBe('echo: new key');
  });
});
