/**
 * What the developer CLIs (`npm run wechat|sms|push`) share: where the local stack listens (the same
 * PORT as `npm start`), and one line instead of a stack trace when nothing answers there.
 */
export const localStackUrl = () => `http://127.0.0.1:${process.env.PORT ?? 3000}`;

export async function fetchOrExplain(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ENOTFOUND') {
      const { origin } = new URL(url);
      console.error(
        `Nothing answers on ${origin}: start the local stack with \`npm start\` (PORT and LOCAL_DATA_DIR must match its), or pass --api/--url.`,
      );
      process.exit(1);
    }
    throw error;
  }
}
