/**
 * Static assets of the embedded Pitchey pages: the stylesheet, the one client script, the hero
 * image (the LCP element) and the fault assets. Images are generated at start so the
 * repository holds no binaries.
 */
import { crc32, deflateSync } from 'node:zlib';
import { seededRandom } from '../core/random.ts';

/** Bumped when an asset changes: asset URLs carry it, so they can be cached for a year. */
export const ASSET_VERSION = '1';

export const HERO_SIZE = { width: 1200, height: 400 } as const;

export const STYLESHEET = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1d1d28;background:#f6f5fb}
header{display:flex;gap:1.5rem;align-items:center;padding:.75rem 1.5rem;background:#1d1d28;color:#fff}
header a{color:#fff;text-decoration:none}header .brand{font-weight:700;font-size:1.25rem}
main{max-width:1200px;margin:0 auto;padding:1rem 1.5rem}
.hero{display:block;width:100%;height:auto;aspect-ratio:3/1;border-radius:8px;background:#d8d4f0}
.cards{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:1rem}
.pitch-card{background:#fff;border-radius:8px;padding:1rem;box-shadow:0 1px 3px #0002}
.pitch-card h3{margin:.2rem 0}.meta{color:#666;font-size:.875rem}
.filters{display:flex;gap:.75rem;flex-wrap:wrap;align-items:end;margin:1rem 0}
.pager{display:flex;gap:1rem;margin:1rem 0}button,.button{padding:.5rem 1rem;border:0;border-radius:6px;background:#5b3cc4;color:#fff;cursor:pointer}
.late-banner{height:240px;background:#ffd34d;display:flex;align-items:center;justify-content:center;font-size:1.5rem}
form.login{display:grid;gap:.75rem;max-width:320px}.error{color:#b00020}
`;

export const CLIENT_SCRIPT = `
(function () {
  var q = document.getElementById('q');
  if (q) q.addEventListener('input', function () {
    var needle = q.value.toLowerCase(), shown = 0;
    document.querySelectorAll('.pitch-card').forEach(function (card) {
      var match = card.textContent.toLowerCase().indexOf(needle) !== -1;
      card.hidden = !match; if (match) shown++;
    });
    var count = document.getElementById('shown-count'); if (count) count.textContent = String(shown);
  });
  document.querySelectorAll('[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { select.form.submit(); });
  });
  document.querySelectorAll('button[data-request-nda]').forEach(function (button) {
    button.addEventListener('click', function () {
      button.disabled = true; button.textContent = 'Requesting…';
      fetch('/api/ndas', { method: 'POST', credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pitchId: Number(button.dataset.requestNda) }) })
        .then(function (res) { return res.json().then(function (body) { return { status: res.status, body: body }; }); })
        .then(function (r) {
          if (r.status === 201 || r.status === 409) {
            button.textContent = r.status === 201 ? 'NDA requested' : 'NDA already requested';
            var list = document.getElementById('my-ndas');
            if (list && r.status === 201) {
              var li = document.createElement('li'); li.className = 'nda';
              li.textContent = r.body.nda.pitchTitle + ' — ' + r.body.nda.status;
              list.insertBefore(li, list.firstChild);
            }
          } else { button.disabled = false; button.textContent = 'Request NDA (failed: ' + r.status + ')'; }
        });
    });
  });
  if (document.body.dataset.faultLayoutShift === 'true') {
    setTimeout(function () {
      var banner = document.createElement('div'); banner.className = 'late-banner';
      banner.textContent = 'Limited offer: premium pitch placement';
      var main = document.querySelector('main'); main.insertBefore(banner, main.firstChild);
    }, 400);
  }
})();
`;

export const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#5b3cc4"/><text x="16" y="23" font-size="20" text-anchor="middle" fill="#fff" font-family="sans-serif">P</text></svg>';

/** A script that holds the main thread for `ms`: served to <head> by the blocking-script fault. */
export function blockingScript(ms: number): string {
  return `(function(){var end=performance.now()+${ms};while(performance.now()<end){}})();`;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes an RGB image as PNG (filter 0 on every row). */
function encodePng(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number],
  level: number,
): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let offset = 0;
  for (let y = 0; y < height; y++) {
    raw[offset++] = 0;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw[offset++] = r;
      raw[offset++] = g;
      raw[offset++] = b;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit depth, truecolour, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw, { level })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

let hero: Buffer | undefined;
let oversizedHero: Buffer | undefined;

/** The normal hero: a smooth gradient that compresses to a few kilobytes. */
export function heroImage(): Buffer {
  hero ??= encodePng(
    HERO_SIZE.width,
    HERO_SIZE.height,
    (x, y) => [
      90 + Math.floor((x / HERO_SIZE.width) * 120),
      60 + Math.floor((y / HERO_SIZE.height) * 80),
      196,
    ],
    9,
  );
  return hero;
}

/** The oversized hero fault: 1600×1200 of noise, which does not compress (about 5.8 MB). */
export function oversizedHeroImage(): Buffer {
  if (!oversizedHero) {
    const random = seededRandom(7);
    oversizedHero = encodePng(
      1600,
      1200,
      () => [random() * 256, random() * 256, random() * 256].map(Math.floor) as [number, number, number],
      1,
    );
  }
  return oversizedHero;
}
