/**
 * One HTTP exchange on undici's dispatch API: status, byte count and (only when a check needs
 * it) the body. Lower level than `request()`, which builds a stream per response; this is
 * the load generator's hot path.
 */
import type { Dispatcher } from 'undici';

export interface Exchange {
  status: number;
  bytes: number;
  body: string;
}

export function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  keepBody: boolean,
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let bytes = 0;
    const chunks: Buffer[] = [];
    dispatcher.dispatch(options, {
      // Its presence tells undici this handler speaks the controller API (not the legacy one).
      onRequestStart() {},
      onResponseStart(_controller, statusCode) {
        status = statusCode;
      },
      onResponseData(_controller, chunk) {
        bytes += chunk.length;
        if (keepBody) chunks.push(chunk);
      },
      onResponseEnd() {
        resolve({ status, bytes, body: keepBody ? Buffer.concat(chunks).toString() : '' });
      },
      onResponseError(_controller, error) {
        reject(error);
      },
    });
  });
}
