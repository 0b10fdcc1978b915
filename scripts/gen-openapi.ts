// `npm run gen:openapi`: writes docs/openapi.json (shipped in the package) from the routes' zod schemas. Generated:
// edit src/dashboard/api/ instead; test/dashboard/openapi.test.ts fails when the file is behind.
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../src/dashboard/api/openapi.js';

export const OPENAPI_FILE = new URL('../docs/openapi.json', import.meta.url);

export function openApiFileText(): string {
  return `${JSON.stringify({ 'x-generated-by': 'npm run gen:openapi (scripts/gen-openapi.ts); do not edit', ...openApiDocument() }, null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(OPENAPI_FILE, openApiFileText());
  process.stdout.write(`wrote ${OPENAPI_FILE.pathname}\n`);
}
