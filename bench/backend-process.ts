// The backend for a benchmark, in its own process: argv = [maxConnections, users]. Prints one JSON
// line with its URL, keys, and a band whose members are the bench users (made with SQL: no
// password hashing on the way).
import { startBackend } from '../server/backend.js';
import { FREE_PLAN_QUOTAS } from '../server/config.js';

const [maxConnections = '1100', userCount = '10'] = process.argv.slice(2);
const backend = await startBackend({
  port: 0,
  realtime: { ...FREE_PLAN_QUOTAS, maxConnections: Number(maxConnections) },
});
const users = await backend.db.pg.query<{ id: string }>(
  `insert into auth.users (email, encrypted_password)
   select 'bench-' || gen_random_uuid() || '@example.com', 'not-a-password' from generate_series(1, $1::int)
   returning id`,
  [Number(userCount)],
);
const band = await backend.db.pg.query<{ id: string }>(
  `insert into public.bands (name) values ('Bench') returning id`,
);
const bandId = band.rows[0]!.id;
await backend.db.pg.query(
  `insert into public.band_memberships (band_id, user_id) select $1, unnest($2::uuid[])`,
  [bandId, users.rows.map((u) => u.id)],
);
console.log(
  JSON.stringify({
    url: backend.url,
    anonKey: backend.anonKey,
    serviceRoleKey: backend.serviceRoleKey,
    users: users.rows.map((u) => u.id),
    bandId,
  }),
);
process.once('SIGTERM', () => void backend.close().then(() => process.exit(0)));
