// Types of load-cli.js (plain JavaScript beside the bin), for the tests that import it.
import type { Script } from 'node:vm';

export declare const BUNDLE: string;
export declare const CODE_CACHE_DIR: string;
export declare function codeCacheFile(cachedData: Buffer): Buffer;
export declare function cachedDataOf(file: Buffer): Buffer | undefined;
export declare function codeCachePath(source: string, execArgv?: readonly string[], cacheDir?: string): string;
export declare function loadCli(options?: { bundle?: string; cacheDir?: string; useCache?: boolean }): {
  cli: { main(argv: readonly string[], io?: unknown): Promise<number>; setModuleImporter(importModule: (url: string) => Promise<unknown>): void };
  script: Script;
  cachePath: string;
  cacheUsed: boolean;
};
