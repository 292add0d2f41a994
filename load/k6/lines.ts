/**
 * The lines of a k6 result file, streamed: a runner's `--out json` is ~3 GB per million requests
 * before gzip, past what one string (V8: ~512 MB) or one Buffer can hold. Gunzipped on the way
 * when the file starts with gzip's magic bytes (`--out json=file.gz`), whatever its name.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { K6ImportError } from './model.ts';

/** Called with each line and its number (from 1); returning false stops the reading there. */
export type OnLine = (line: string, number: number) => unknown;

const cannotRead = (path: string, error: unknown) =>
  new K6ImportError(`cannot read the k6 results ${path}: ${(error as Error).message}`);

async function isGzipped(path: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } catch (error) {
    throw cannotRead(path, error);
  } finally {
    await handle?.close();
  }
}

/**
 * Calls `onLine` for every line of the file, in order, synchronously as readline splits them
 * (no promise per line: tens of millions of lines). An error thrown by `onLine` stops the
 * reading and rejects with that error; a read or gzip error rejects naming the file.
 */
export async function forEachLine(path: string, onLine: OnLine): Promise<void> {
  const gzipped = await isGzipped(path);
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const gunzip = gzipped ? createGunzip({ chunkSize: 1 << 18 }) : undefined;
  const input = gunzip ? file.pipe(gunzip) : file;
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      lines.close();
      file.destroy();
      gunzip?.destroy();
      if (error === undefined) resolve();
      else reject(error);
    };
    // Before readline's own listeners, so the error names its cause (readline re-emits it).
    file.on('error', (error) => finish(cannotRead(path, error)));
    gunzip?.on('error', (error) => finish(new K6ImportError(`${path}: broken gzip: ${error.message}`)));
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('error', (error) => finish(cannotRead(path, error)));
    let number = 0;
    lines.on('line', (line) => {
      if (done) return;
      try {
        if (onLine(line, ++number) === false) finish();
      } catch (error) {
        finish(error);
      }
    });
    // An input error is emitted on a later tick than the end it causes: let it win.
    lines.on('close', () => setImmediate(() => finish()));
  });
}
