/**
 * The custom menu (自定义菜单) as data (schemas/data/menus.json): checked against WeChat's limits
 * (3 buttons, 5 under each; names of 4 / 8 Chinese characters, 16 / 60 bytes; keys ≤ 128 bytes,
 * links ≤ 1024) and against what the conversation understands (every click key is one of its menu
 * keys or a keyword), and the keyword replies that point to menu items ("菜单“办事服务 → 违法查询”")
 * point to items that exist. Published only after the difference from the menu WeChat has now
 * (get_current_selfmenu_info) was shown, and only if WeChat's menu is still the one shown (`basedOn`).
 */
import { createHash } from 'node:crypto';
import type { KeywordReplies, Menu, MenuButton, WeChatAccount } from '../../../schemas/wechat.ts';
import type { WeChatSendResult } from '../delivery/ports.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Actor } from '../vocabulary.ts';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
/** How wide a name shows: a Chinese character 1, a Latin letter or digit ½ (WeChat's "4 个汉字"). */
const width = (s: string) => [...s].reduce((w, c) => w + (/[\x20-\x7e]/.test(c) ? 0.5 : 1), 0);

const KEYED = new Set([
  'click',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
]);
/** Keyed buttons whose key the conversation receives as a CLICK (the others' events are not conversed). */
const CONVERSED = new Set(['click', 'scancode_push', 'scancode_waitmsg']);

export interface MenuVocabulary {
  /** The menu keys the conversation understands (core/conversation CLICK_KEYS). */
  clickKeys: readonly string[];
  keywords: KeywordReplies;
}

function buttonProblems(b: MenuButton, where: string, sub: boolean, v: MenuVocabulary): string[] {
  const problems: string[] = [];
  const [maxBytes, maxWidth] = sub ? [60, 8] : [16, 4];
  if (bytes(b.name) > maxBytes || width(b.name) > maxWidth)
    problems.push(
      `${where}: "${b.name}" is longer than a ${sub ? 'sub-' : 'first-level '}button shows (${maxWidth} Chinese characters)`,
    );
  const children = b.sub_button ?? [];
  if (children.length) {
    if (sub) return [...problems, `${where}: buttons nest two levels at most`];
    if (b.type) problems.push(`${where}: a button with sub-buttons has no type of its own`);
    if (children.length > 5) problems.push(`${where}: ${children.length} sub-buttons, WeChat allows 5`);
    for (const [i, c] of children.entries())
      problems.push(...buttonProblems(c, `${where} → ${c.name || i + 1}`, true, v));
    return problems;
  }
  if (!b.type) return [...problems, `${where}: no type (click, view, miniprogram, …) and no sub-buttons`];
  if (KEYED.has(b.type)) {
    if (!b.key || bytes(b.key) > 128)
      problems.push(`${where}: a ${b.type} button needs a key of at most 128 bytes`);
    else if (
      CONVERSED.has(b.type) &&
      !v.clickKeys.includes(b.key) &&
      !v.keywords.some((k) => k.keys.includes(b.key!))
    )
      problems.push(
        `${where}: key "${b.key}" is not understood by the conversation (menu keys ${v.clickKeys.join(', ')}, or a keyword of schemas/data/keywords.json)`,
      );
  }
  if (b.type === 'view' || b.type === 'miniprogram') {
    if (!b.url || !/^https:\/\//.test(b.url) || bytes(b.url) > 1024)
      problems.push(`${where}: a ${b.type} button needs an https url of at most 1024 bytes`);
    if (b.type === 'miniprogram' && (!b.appid || !b.pagepath))
      problems.push(`${where}: a miniprogram button needs appid and pagepath`);
  }
  if (b.type === 'article_id' && !b.article_id)
    problems.push(`${where}: an article_id button needs article_id`);
  return problems;
}

/** Menu items the keyword replies name: 菜单“办事服务 → 违法查询”, 菜单“路况”. */
export function menuReferences(keywords: KeywordReplies): string[][] {
  return keywords.flatMap((k) =>
    [...k.reply.matchAll(/菜单“([^”]+)”/g)].map((m) => m[1]!.split(/\s*→\s*/).map((s) => s.trim())),
  );
}

/** Why a menu cannot be published; empty when it can. */
export function menuProblems(menu: Menu, v: MenuVocabulary): string[] {
  const problems: string[] = [];
  if (menu.button.length < 1 || menu.button.length > 3)
    problems.push(`${menu.button.length} first-level buttons; WeChat allows 1 to 3`);
  for (const [i, b] of menu.button.entries())
    problems.push(...buttonProblems(b, b.name || `button ${i + 1}`, false, v));
  for (const path of menuReferences(v.keywords)) {
    const top = menu.button.find((b) => b.name === path[0]);
    const found = path.length === 1 ? top : top?.sub_button?.find((c) => c.name === path[1]);
    if (!found)
      problems.push(`a keyword reply points to menu “${path.join(' → ')}”, which this menu does not have`);
  }
  return problems;
}

/** The menu WeChat reports (get_current_selfmenu_info) in menu/create's shape, to compare. */
export function currentMenu(info: Record<string, unknown>): Menu {
  if (!info.is_menu_open) return { button: [] };
  const selfmenu = info.selfmenu_info as { button?: Array<Record<string, unknown>> } | undefined;
  const shape = (b: Record<string, unknown>): MenuButton => {
    const list = (b.sub_button as { list?: Array<Record<string, unknown>> } | undefined)?.list;
    if (list?.length) return { name: String(b.name ?? ''), sub_button: list.map(shape) };
    const fields = ['type', 'key', 'url', 'appid', 'pagepath', 'article_id'] as const;
    const present = fields.filter((f) => typeof b[f] === 'string').map((f) => [f, b[f] as string]);
    return { name: String(b.name ?? ''), ...Object.fromEntries(present) } as MenuButton;
  };
  return { button: (selfmenu?.button ?? []).map(shape) };
}

/** One line per button: `限行查询 → 今日限行: click XIANXING`. */
function lines(menu: Menu): string[] {
  const what = (b: MenuButton) =>
    [b.type, b.key ?? b.url ?? b.article_id, b.pagepath].filter(Boolean).join(' ');
  return menu.button.flatMap((b) =>
    b.sub_button?.length
      ? b.sub_button.map((c) => `${b.name} → ${c.name}: ${what(c)}`)
      : [`${b.name}: ${what(b)}`],
  );
}

/** What publishing `next` over `current` changes, line by line (`- ` removed, `+ ` added). */
export function menuDiff(current: Menu, next: Menu): string[] {
  const before = lines(current);
  const after = lines(next);
  const diff = [
    ...before.filter((l) => !after.includes(l)).map((l) => `- ${l}`),
    ...after.filter((l) => !before.includes(l)).map((l) => `+ ${l}`),
  ];
  if (diff.length === 0 && before.join('\n') !== after.join('\n'))
    diff.push('~ the same buttons, in another order');
  return diff;
}

/** A short fingerprint of a menu, to publish only over the menu the diff was shown against. */
export const menuFingerprint = (menu: Menu) =>
  createHash('sha256').update(lines(menu).join('\n')).digest('hex').slice(0, 16);

export interface MenuDeps {
  account(id: string): Promise<WeChatAccount | undefined>;
  /** The repository's menu for an account (its `menu`, else its audience's). */
  menuOf(account: WeChatAccount): Menu | undefined;
  vocabulary: MenuVocabulary;
  wechat: {
    current(account: WeChatAccount): Promise<Record<string, unknown>>;
    create(account: WeChatAccount, menu: Menu): Promise<WeChatSendResult>;
  };
  /** Records the publication with its audit entry (who, when, before, after). */
  published(account: WeChatAccount, before: Menu, after: Menu, actor: Actor, at: string): Promise<void>;
  clock: { now(): Date };
}

/** The repository's menu for an account, WeChat's, the difference and what stands in the way. */
export async function menuReport(accountId: string, deps: MenuDeps) {
  const account = await deps.account(accountId);
  if (!account) throw new NotFoundError(`No WeChat account '${accountId}'.`);
  const menu = deps.menuOf(account);
  if (!menu)
    throw new NotFoundError(
      `schemas/data/menus.json has no menu '${account.menu ?? account.audience}' for '${accountId}'.`,
    );
  const current = currentMenu(await deps.wechat.current(account));
  return {
    account: account.id,
    menu,
    current,
    diff: menuDiff(current, menu),
    problems: menuProblems(menu, deps.vocabulary),
    basedOn: menuFingerprint(current),
  };
}

/**
 * Publishes the repository's menu (menu/create): refused with the reasons if it breaks WeChat's
 * limits or names keys the conversation does not understand; refused (409) if WeChat's menu is no
 * longer the one the diff was shown against (`basedOn`); recorded with its audit entry.
 */
export async function publishMenu(
  accountId: string,
  basedOn: string | undefined,
  actor: Actor,
  deps: MenuDeps,
) {
  const report = await menuReport(accountId, deps);
  if (report.problems.length)
    throw new ValidationError(`The menu cannot be published: ${report.problems.join('; ')}.`, [
      ...report.problems.map((message) => ({ path: 'menu', message })),
    ]);
  if (basedOn !== undefined && basedOn !== report.basedOn)
    throw new ConflictError('WeChat’s menu changed since the difference was shown; look at it again.', {
      basedOn: report.basedOn,
      diff: report.diff,
    });
  const account = (await deps.account(accountId))!;
  const result = await deps.wechat.create(account, report.menu);
  if (result.status !== 'sent')
    throw new ValidationError(
      `WeChat refused the menu: ${result.status === 'refused' ? result.refusal.message : result.message}`,
    );
  await deps.published(account, report.current, report.menu, actor, deps.clock.now().toISOString());
  return { ...report, published: true };
}
