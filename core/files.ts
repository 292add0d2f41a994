/** Small file-system helpers the pipeline's edges share. */
import { accessSync, constants } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';

/** Write then rename in the same folder: a reader never sees half a file, nothing is lost on failure. */
export async function writeAtomic(path: string, content: string): Promise<void> {
  // ".tmp" at the end keeps tools that glob *.ts or *.json away from the half-written file.
  const temporary = `${path}.${process.pid}-${Date.now()}.tmp`;
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
