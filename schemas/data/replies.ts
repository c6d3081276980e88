/**
 * The reply data shipped with the code, validated at load: the keyword replies (menu numbers, service
 * information), the SMS templates (ids per gateway, sign, parameters, text) and the custom menus.
 */
import { SmsCatalogueSchema } from '../sms.ts';
import { KeywordRepliesSchema, MenusSchema } from '../wechat.ts';
import keywordData from './keywords.json' with { type: 'json' };
import menuData from './menus.json' with { type: 'json' };
import smsTemplates from './sms-templates.json' with { type: 'json' };

export const shippedKeywordReplies = KeywordRepliesSchema.parse(keywordData);
export const shippedSmsCatalogue = SmsCatalogueSchema.parse(smsTemplates);
/** Each account's custom menu (its `menu`, or the one named after its audience): published by `npm run menu`. */
export const shippedMenus = MenusSchema.parse(menuData);
