/**
 * What the developer CLIs (`npm run wechat|sms|push|menu|platform|token`) share: their arguments
 * (`--help` prints the usage; an unknown or malformed option is one line and the usage, not a stack
 * trace), where the local stack listens (the same PORT as `npm start`), and one line instead of a
 * stack trace when nothing answers there.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * The command line, parsed with node:util's parseArgs: `--help` or `-h` (before a `--`) prints
 * `usage` and exits 0; what parseArgs refuses (an unknown option, a missing value) prints its reason
 * and `usage` on stderr and exits 2.
 */
export function cliArgs<T extends ParseArgsConfig>(usage: string, config: T, argv = process.argv.slice(2)) {
  const end = argv.indexOf('--');
  if ((end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h')) {
    console.log(usage);
    process.exit(0);
  }
  try {
    return parseArgs({ ...config, args: argv });
  } catch (error) {
    if (!String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw error;
    return usageError(usage, (error as Error).message);
  }
}

/** Prints the reason (if any) and the usage on stderr and exits 2. */
export function usageError(usage: string, reason?: string): never {
  if (reason) console.error(reason);
  console.error(usage);
  process.exit(2);
}

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
