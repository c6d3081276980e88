/** The shipped first version of each managed content document (functions/core/content/managed.ts). */
import type { ContentName } from '../desk.ts';
import deskData from './desk.json' with { type: 'json' };
import keywordData from './keywords.json' with { type: 'json' };
import serviceInfoData from './service-info.json' with { type: 'json' };

export const shippedContent: Record<ContentName, unknown> = {
  keywords: keywordData,
  'service-info': serviceInfoData,
  desk: deskData,
};
