/** Wiring: article mass sends (functions/core/delivery/mass-send.ts) for send-wechat-mass. */
import { DynamoMassSendAllowance } from '../../adapters/dynamodb/mass-sends.ts';
import { readNotice } from '../../adapters/dynamodb/notices.ts';
import { WeChatMassSender } from '../../adapters/wechat/mass-sends.ts';
import type { MassSendDeps } from '../../core/delivery/mass-send.ts';
import { bookOf } from '../../core/restrictions/engine.ts';
import { documentClient } from '../clients/dynamodb.ts';
import { clock } from '../clock.ts';
import { tableName } from '../config.ts';
import { telemetry } from '../telemetry.ts';
import { pushRuns } from './pushes.ts';
import { restrictionData } from './restriction-data.ts';
import { accounts, wechatApi } from './wechat-api.ts';

export function massSendDeps(): MassSendDeps {
  const content = tableName('content');
  return {
    notice: (id) => readNotice(documentClient, content, id),
    account: (id) => accounts.get(id),
    cityName: async (city) => bookOf(await restrictionData.load()).cities.get(city)?.name ?? city,
    allowance: new DynamoMassSendAllowance(documentClient, tableName('operations')),
    wechat: new WeChatMassSender(wechatApi().api),
    runs: pushRuns,
    clock,
    telemetry,
  };
}
