/**
 * Finds a secret anywhere in a folder of reports: plain files, zip archives (Playwright
 * traces) and the zip that Playwright's HTML report embeds as base64. Compressed entries
 * would hide a secret from a byte search, so every archive is opened.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yauzl from 'yauzl';

function zipEntries(buffer: Buffer): Promise<{ name: string; data: Buffer }[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const entries: { name: string; data: Buffer }[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            entries.push({ name: entry.fileName, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.readEntry();
    });
  });
}

async function scanBuffer(where: string, buffer: Buffer, secret: string, hits: string[]): Promise<void> {
  if (buffer.includes(secret)) hits.push(where);
  if (buffer.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    for (const entry of await zipEntries(buffer))
      await scanBuffer(`${where}!${entry.name}`, entry.data, secret, hits);
  }
  const embedded = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(buffer.toString('latin1'));
  if (embedded?.[1]) await scanBuffer(`${where}!embedded`, Buffer.from(embedded[1], 'base64'), secret, hits);
}

/** Every place under `dir` (files, archive entries) that holds `secret`. */
export async function findSecret(dir: string, secret: string): Promise<{ files: number; hits: string[] }> {
  const hits: string[] = [];
  let files = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    const path = join(entry.parentPath, entry.name);
    await scanBuffer(path, await readFile(path), secret, hits);
  }
  return { files, hits };
}
