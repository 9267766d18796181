/**
 * How the CLI loads a module it needs only sometimes (the workbook writer,
 * with exceljs, for `report --xlsx`): by its file URL, with import().
 *
 * bin/povalloc.js runs the bundled CLI as a classic script (so that V8 can
 * reuse its compiled code, see bin/load-cli.js); import() in such a script
 * needs an experimental Node flag, so the bin hands its own import() here.
 * Run as modules (the tests import dist/ directly), the default serves.
 */
import { pathToFileURL } from 'node:url';
import { packagePath } from '../io/read-inputs.js';

type Importer = (url: string) => Promise<unknown>;

let importer: Importer = (url) => import(url);

export function setModuleImporter(importModule: Importer): void {
  importer = importModule;
}

/** The module at `relative` (a path from the package root, e.g. `dist/render/workbook.js`). */
export async function importPackageModule<T>(relative: string): Promise<T> {
  return (await importer(pathToFileURL(packagePath(relative)).href)) as T;
}
