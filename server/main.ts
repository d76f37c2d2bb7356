// `npm run server`: the local backend alone. Options come from the environment
// (PORT, HOST, BACKLINE_JWT_SECRET, BACKLINE_TOKEN_TTL, BACKLINE_DATA_DIR) and flags.
import { parseArgs } from 'node:util';
import { startBackend, type Backend } from './backend.js';
import { defaultOptions } from './config.js';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from './demo-seed.js';

export async function runServer(argv: string[]): Promise<Backend> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      demo: { type: 'boolean', default: false },
      log: { type: 'boolean', default: false },
    },
  });
  const options = defaultOptions();
  const backend = await startBackend({
    ...options,
    dataDir: values['data-dir'] ?? options.dataDir,
    logRequests: values.log ?? false,
  });
  if (values.demo) await seedDemo(backend);
  console.log(`Backline local backend   ${backend.url}`);
  console.log(
    `  database               ${backend.options.dataDir ?? 'in memory (pass --data-dir to keep it)'}`,
  );
  console.log(`  anon key               ${backend.anonKey}`);
  console.log(`  service_role key       ${backend.serviceRoleKey}`);
  if (values.demo) console.log(`  demo logins            ${DEMO_USERS.join(', ')} / ${DEMO_PASSWORD}`);
  const stop = (): void => {
    void backend.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return backend;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runServer(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
