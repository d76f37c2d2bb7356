// `npm start`: the local backend with demo data, and the app on Vite's dev server, in one process.
import { createServer } from 'vite';
import { runServer } from '../server/main.js';

const backend = await runServer(['--demo', ...process.argv.slice(2)]);
const app = await createServer({
  server: { port: Number(process.env['APP_PORT'] ?? 5173), host: '127.0.0.1' },
  define: {
    'import.meta.env.VITE_SUPABASE_URL': JSON.stringify(backend.url),
    'import.meta.env.VITE_SUPABASE_ANON_KEY': JSON.stringify(backend.anonKey),
  },
});
await app.listen();
console.log(`\nBackline app             ${app.resolvedUrls?.local[0] ?? ''}`);
process.once('SIGINT', () => void app.close());
