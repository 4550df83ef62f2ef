// Runs every Node-side suite (test/**/*.test.ts) with mocha, TypeScript loaded through tsx, and closes with
// one plain "N passed, N failed" line that CI reads. Pass file paths or a --grep pattern to narrow the run.
import Mocha from 'mocha';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'tsx/cjs/api';

register();

function findTests(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return findTests(path);
    return path.endsWith('.test.ts') ? [path] : [];
  });
}

const args = process.argv.slice(2);
const grepAt = args.indexOf('--grep');
const grep = grepAt >= 0 ? args.splice(grepAt, 2)[1] : undefined;
const files = args.length > 0 ? args : findTests('test').filter((f) => !f.startsWith(join('test', 'extension')));

const mocha = new Mocha({ reporter: 'spec', timeout: 60_000, ...(grep ? { grep } : {}) });
for (const file of files.sort()) mocha.addFile(join(process.cwd(), file));

mocha.run().on('end', function () {
  const { passes, failures, pending } = this.stats;
  console.log(`\ntests: ${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}`);
  process.exitCode = failures > 0 || passes === 0 ? 1 : 0;
});
