/**
 * GET /d/{token} — a driver notice's personal page (functions/core/drivers/page.ts): the link in the
 * template message, signed and expiring; the notice's details and the photo links behind it. Never
 * cached.
 */

import { driverPage } from '../core/drivers/page.ts';
import { NOTICE_PAGE_CSP } from '../core/notices/page.ts';
import { pageHandler } from '../shared/page.ts';
import { driverPageDeps } from '../shared/wiring/drivers.ts';

const deps = driverPageDeps();

export const handler = pageHandler(
  NOTICE_PAGE_CSP,
  ({ pathParameters }) => driverPage(pathParameters.token ?? '', deps),
  {
    personal: true,
  },
);
