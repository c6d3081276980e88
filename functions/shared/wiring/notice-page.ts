/** Wiring: the notice page (get-notice-page) reads the notice record and the restriction data's city names. */
import { readNotice } from '../../adapters/dynamodb/notices.ts';
import type { NoticePageDeps } from '../../core/notices/page.ts';
import { bookOf } from '../../core/restrictions/engine.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { tableName } from '../config.ts';
import { restrictionData } from './restriction-data.ts';

export function noticePageDeps(): NoticePageDeps {
  const content = tableName('content');
  return {
    notice: (id) => readNotice(documentClient, content, id),
    cityName: async (city) => bookOf(await restrictionData.load()).cities.get(city)?.name ?? city,
  };
}
