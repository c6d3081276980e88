/**
 * The custom menu as data: the shipped menus are publishable; a menu that breaks WeChat's limits or
 * names a key the conversation does not understand is refused with the reason; keyword replies
 * point only to menu items that exist; the difference from WeChat's menu is shown line by line.
 */
import { describe, expect, it } from 'vitest';
import { CLICK_KEYS } from '../../../functions/core/conversation/converse.ts';
import {
  currentMenu,
  menuDiff,
  menuFingerprint,
  menuProblems,
  menuReferences,
} from '../../../functions/core/wechat/menu.ts';
import { shippedKeywordReplies, shippedMenus } from '../../../schemas/data/replies.ts';
import type { Menu } from '../../../schemas/wechat.ts';

const vocabulary = { clickKeys: Object.keys(CLICK_KEYS), keywords: shippedKeywordReplies };
const click = (name: string, key: string) => ({ type: 'click' as const, name, key });

describe('the shipped menus', () => {
  it('are within WeChat’s limits, use only keys the conversation understands, and hold what keyword replies point to', () => {
    for (const [name, menu] of Object.entries(shippedMenus))
      expect(menuProblems(menu, vocabulary), name).toEqual([]);
    expect(menuReferences(shippedKeywordReplies)).toEqual([
      ['办事服务', '违法查询'],
      ['办事服务', '网点查询'],
    ]);
  });
});

describe('a menu that cannot be published is refused with the reason', () => {
  const problems = (menu: Menu) => menuProblems(menu, vocabulary);
  it.each<[string, Menu, RegExp]>([
    [
      'four first-level buttons',
      { button: [click('a', 'HELP'), click('b', 'HELP'), click('c', 'HELP'), click('d', 'HELP')] },
      /4 first-level buttons; WeChat allows 1 to 3/,
    ],
    [
      'six sub-buttons',
      {
        button: [{ name: '服务', sub_button: Array.from({ length: 6 }, (_, i) => click(`项${i}`, 'HELP')) }],
      },
      /6 sub-buttons, WeChat allows 5/,
    ],
    [
      'a first-level name of five characters',
      { button: [click('限行查询吧', 'XIANXING')] },
      /"限行查询吧" is longer than a first-level button shows \(4 Chinese characters\)/,
    ],
    [
      'a sub-button name of nine characters',
      { button: [{ name: '服务', sub_button: [click('一二三四五六七八九', 'HELP')] }] },
      /longer than a sub-button shows \(8/,
    ],
    [
      'a key the conversation does not understand',
      { button: [click('限行', 'V1001_TODAY')] },
      /key "V1001_TODAY" is not understood by the conversation/,
    ],
    [
      'a link that is not https',
      { button: [{ type: 'view', name: '官网', url: 'http://example.gov.cn' }] },
      /needs an https url/,
    ],
    [
      'a parent with a type',
      { button: [{ name: '服务', type: 'click', key: 'HELP', sub_button: [click('帮助', 'HELP')] }] },
      /a button with sub-buttons has no type of its own/,
    ],
    [
      'three levels',
      { button: [{ name: '服务', sub_button: [{ name: '更多', sub_button: [click('帮助', 'HELP')] }] }] },
      /buttons nest two levels at most/,
    ],
  ])('%s', (_what, menu, reason) => {
    expect(problems(menu).join('\n')).toMatch(reason);
  });

  it('a keyword reply pointing to a menu item that is not there', () => {
    const menu: Menu = {
      button: [click('限行', 'XIANXING'), { name: '办事服务', sub_button: [click('网点查询', '办事窗口')] }],
    };
    expect(problems(menu)).toEqual([
      'a keyword reply points to menu “办事服务 → 违法查询”, which this menu does not have',
    ]);
  });

  it('a keyword as a click key is understood (the conversation reads it as the keyword)', () => {
    expect(problems({ button: [click('救援', '救援'), click('事故', '5')] })).toEqual(
      expect.not.arrayContaining([expect.stringMatching(/not understood/)]),
    );
  });
});

describe('the difference from WeChat’s menu', () => {
  it('reads get_current_selfmenu_info and says what publishing adds and removes', () => {
    const current = currentMenu({
      is_menu_open: 1,
      selfmenu_info: {
        button: [
          { type: 'click', name: '今日限行', key: 'XIANXING' },
          {
            name: '服务',
            sub_button: { list: [{ type: 'view', name: '官网', url: 'https://old.example.gov.cn' }] },
          },
        ],
      },
    });
    expect(current).toEqual({
      button: [
        { type: 'click', name: '今日限行', key: 'XIANXING' },
        { name: '服务', sub_button: [{ type: 'view', name: '官网', url: 'https://old.example.gov.cn' }] },
      ],
    });
    const diff = menuDiff(current, shippedMenus.public!);
    expect(diff).toContain('- 今日限行: click XIANXING');
    expect(diff).toContain('- 服务 → 官网: view https://old.example.gov.cn');
    expect(diff).toContain('+ 限行查询 → 今日限行: click XIANXING');
    expect(diff).toContain('+ 办事服务 → 违法查询: view https://gab.122.gov.cn/');
    expect(menuDiff(shippedMenus.public!, shippedMenus.public!)).toEqual([]);
    expect(currentMenu({ is_menu_open: 0 })).toEqual({ button: [] });
    expect(menuFingerprint(current)).not.toBe(menuFingerprint(shippedMenus.public!));
  });
});
