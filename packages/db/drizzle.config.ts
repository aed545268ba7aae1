import { defineConfig } from 'drizzle-kit';

// `pnpm --filter @openaos/db generate` writes a new migration into drizzle/ after a schema
// change; the migrations are committed and run on start by openDatabase().
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './drizzle',
});
