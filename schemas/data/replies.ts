/**
 * The reply data shipped with the code, validated at load: the keyword replies (menu numbers, service
 * information) and the SMS templates (ids per gateway, sign, parameters, text).
 */
import { SmsCatalogueSchema } from '../sms.ts';
import { KeywordRepliesSchema } from '../wechat.ts';
import keywordData from './keywords.json' with { type: 'json' };
import smsTemplates from './sms-templates.json' with { type: 'json' };

export const shippedKeywordReplies = KeywordRepliesSchema.parse(keywordData);
export const shippedSmsCatalogue = SmsCatalogueSchema.parse(smsTemplates);
