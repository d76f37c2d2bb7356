// Demo data for `npm start`: two users who share a band with a dozen songs, so a newcomer can sign
// in at once. Idempotent: a data directory that already has the users is left alone.
import type { Backend } from './backend.js';
import { hashPassword } from './auth/passwords.js';

export const DEMO_PASSWORD = 'backline-demo';
export const DEMO_USERS = ['alice@example.com', 'bob@example.com'] as const;

const SONGS: [title: string, artist: string, key: string, bpm: number, seconds: number][] = [
  ['Waterloo Sunset', 'The Kinks', 'E', 115, 195],
  ['Heroes', 'David Bowie', 'D', 113, 370],
  ['Dancing in the Dark', 'Bruce Springsteen', 'B', 149, 241],
  ['Dreams', 'Fleetwood Mac', 'Am', 120, 257],
  ['Superstition', 'Stevie Wonder', 'Ebm', 100, 245],
  ['Teenage Kicks', 'The Undertones', 'D', 142, 148],
  ['Heart of Glass', 'Blondie', 'E', 113, 274],
  ['Under Pressure', 'Queen & David Bowie', 'D', 114, 248],
  ['Once in a Lifetime', 'Talking Heads', 'A', 118, 259],
  ['Just Like Heaven', 'The Cure', 'A', 148, 212],
  ['Ever Fallen in Love', 'Buzzcocks', 'C', 160, 162],
  ['There Is a Light', 'The Smiths', 'A', 136, 244],
];

export async function seedDemo(backend: Backend): Promise<void> {
  if (await backend.users.byEmail(DEMO_USERS[0])) return;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const [alice, bob] = await Promise.all(
    DEMO_USERS.map(async (email) => {
      const user = await backend.users.create(email, passwordHash, { display_name: email.split('@')[0] });
      if (!user) throw new Error(`demo user ${email} could not be created`);
      return user;
    }),
  );
  const asAlice = { role: 'authenticated' as const, sub: alice!.id };
  const asBob = { role: 'authenticated' as const, sub: bob!.id };
  const band = await backend.db.asUser(asAlice, async (tx) => {
    const created = await tx.query<{ id: string }>('select id from public.create_band($1, $2)', [
      'The Backliners',
      'Demo band: Alice is the admin, Bob a member.',
    ]);
    const bandId = created.rows[0]!.id;
    for (const [title, artist, key, bpm, seconds] of SONGS) {
      await tx.query(
        `insert into public.songs (band_id, title, artist, key, bpm, duration_seconds) values ($1, $2, $3, $4, $5, $6)`,
        [bandId, title, artist, key, bpm, seconds],
      );
    }
    const invite = await tx.query<{ code: string }>('select code from public.create_invite($1)', [bandId]);
    return { id: bandId, code: invite.rows[0]!.code };
  });
  await backend.db.asUser(asBob, (tx) => tx.query('select public.join_band($1)', [band.code]));
}
