// Set up before every test file (vitest.config.ts, setupFiles): the folders its tests made with tempDir are removed
// once they have all run, so that test runs do not fill the temporary folder.
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { madeTempDirs } from '../helpers.js';

afterAll(() => {
  for (const dir of madeTempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
