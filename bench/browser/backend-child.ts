// The local backend for `npm run bench`, in its own process so its CPU is its own. Prints one JSON
// line (URL and keys); stops on SIGTERM or when the harness that started it goes away. Its one
// optional argument is the access tokens' lifetime in seconds (the token-refresh figure's backend).
import { startBackend } from '../../server/backend.js';
import { FREE_PLAN_QUOTAS } from '../../server/config.js';

const [ttlArgument] = process.argv.slice(2);
const ttl = ttlArgument === undefined ? undefined : Number(ttlArgument);
if (ttl !== undefined && !(Number.isInteger(ttl) && ttl > 0))
  throw new Error(`the token lifetime must be a positive number of seconds, got "${ttlArgument}"`);
const backend = await startBackend({
  ...(ttl === undefined ? {} : { accessTokenTtlSeconds: ttl }),
  port: 0,
  host: '127.0.0.1',
  // 50 tabs per mode fit the free plan's 200 sockets; room for a context that is still closing.
  realtime: { ...FREE_PLAN_QUOTAS, maxConnections: 500 },
});
console.log(
  JSON.stringify({ url: backend.url, anonKey: backend.anonKey, serviceRoleKey: backend.serviceRoleKey }),
);
const stop = (): void => void backend.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.stdin.once('end', stop);
process.stdin.resume();
