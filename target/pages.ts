/**
 * Server-rendered pages of the embedded Pitchey. Pure rendering: data in, HTML out (hono/html
 * escapes every interpolated value).
 */
import { html, raw } from 'hono/html';
import { ASSET_VERSION, HERO_SIZE } from './assets.ts';
import type { Nda, Pitch, User } from './db.ts';
import type { PageFaults } from './faults.ts';
import { GENRES, STATUSES } from './seed.ts';

type Html = ReturnType<typeof html>;

interface LayoutOptions {
  title: string;
  user: User | undefined;
  faults: PageFaults;
  hero?: boolean;
}

function layout(options: LayoutOptions, body: Html): Html {
  const { title, user, faults } = options;
  const heroSrc = faults.oversizedHero ? '/static/hero-large.png' : `/static/hero.png?v=${ASSET_VERSION}`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Pitchey</title>
<link rel="icon" href="/static/icon.svg?v=${ASSET_VERSION}" type="image/svg+xml">
<link rel="stylesheet" href="/static/app.css?v=${ASSET_VERSION}">
${faults.blockingScriptMs > 0 ? html`<script src="/static/block.js?ms=${faults.blockingScriptMs}"></script>` : ''}
<script src="/static/app.js?v=${ASSET_VERSION}" defer></script>
${faults.jsError ? raw(`<script>throw new Error('Injected fault: page script error');</script>`) : ''}
</head>
<body data-fault-layout-shift="${faults.layoutShift ? 'true' : 'false'}">
<header>
  <a class="brand" href="/">Pitchey</a>
  <a href="/browse">Browse</a>
  ${user ? html`<a href="/dashboard">Dashboard</a><span class="meta">${user.name}</span>` : html`<a href="/login">Log in</a>`}
</header>
<main>
${
  options.hero
    ? html`<img class="hero" src="${heroSrc}" width="${HERO_SIZE.width}" height="${HERO_SIZE.height}" alt="Pitchey: where stories find backers" fetchpriority="high">`
    : ''
}
${body}
</main>
</body>
</html>`;
}

function pitchCard(pitch: Pitch): Html {
  return html`<li class="pitch-card" data-pitch-id="${pitch.id}">
  <h3><a href="/pitch/${pitch.id}">${pitch.title}</a></h3>
  <p>${pitch.logline}</p>
  <p class="meta">${pitch.genre} · ${pitch.status} · ${pitch.views} views · ${pitch.ndaCount} NDA requests</p>
</li>`;
}

export function homePage(trending: Pitch[], user: User | undefined, faults: PageFaults): Html {
  return layout(
    { title: 'Trending pitches', user, faults, hero: true },
    html`<h1>Trending pitches</h1>
<ol class="cards" id="trending">${trending.map(pitchCard)}</ol>`,
  );
}

export interface BrowseView {
  items: Pitch[];
  total: number;
  page: number;
  limit: number;
  status?: string | undefined;
  genre?: string | undefined;
}

export function browsePage(view: BrowseView, user: User | undefined, faults: PageFaults): Html {
  const pages = Math.max(1, Math.ceil(view.total / view.limit));
  const link = (page: number) => {
    const params = new URLSearchParams();
    if (view.status) params.set('status', view.status);
    if (view.genre) params.set('genre', view.genre);
    params.set('page', String(page));
    return `/browse?${params}`;
  };
  const options = (values: readonly string[], selected: string | undefined) =>
    values.map((v) => html`<option value="${v}"${v === selected ? raw(' selected') : ''}>${v}</option>`);
  return layout(
    { title: 'Browse pitches', user, faults },
    html`<h1>Browse pitches</h1>
<form class="filters" method="get" action="/browse">
  <label>Status <select name="status" data-autosubmit><option value="">any</option>${options(STATUSES, view.status)}</select></label>
  <label>Genre <select name="genre" data-autosubmit><option value="">any</option>${options(GENRES, view.genre)}</select></label>
  <noscript><button type="submit">Filter</button></noscript>
  <label>Find on this page <input id="q" type="search" placeholder="title or logline" autocomplete="off"></label>
</form>
<p class="meta"><span id="shown-count">${view.items.length}</span> shown of ${view.total} pitches · page ${view.page} of ${pages}</p>
<ul class="cards" id="results">${view.items.map(pitchCard)}</ul>
<nav class="pager">
  ${view.page > 1 ? html`<a rel="prev" href="${link(view.page - 1)}">Previous</a>` : ''}
  ${view.page < pages ? html`<a rel="next" href="${link(view.page + 1)}">Next</a>` : ''}
</nav>`,
  );
}

export function pitchPage(
  pitch: Pitch,
  user: User | undefined,
  requested: boolean,
  faults: PageFaults,
): Html {
  let action: Html;
  if (!user)
    action = html`<a class="button" href="/login?next=/pitch/${pitch.id}">Log in to request an NDA</a>`;
  else if (requested) action = html`<button disabled>NDA already requested</button>`;
  else if (user.id === pitch.creatorId) action = html`<p class="meta">This is your pitch.</p>`;
  else action = html`<button data-request-nda="${pitch.id}">Request NDA</button>`;
  return layout(
    { title: pitch.title, user, faults, hero: true },
    html`<article class="pitch" data-pitch-id="${pitch.id}">
  <h1>${pitch.title}</h1>
  <p>${pitch.logline}</p>
  <p class="meta">by ${pitch.creatorName} · ${pitch.genre} · ${pitch.status} · budget $${pitch.budgetUsd.toLocaleString('en-US')}</p>
  <p class="meta">${pitch.views} views · <span id="nda-count">${pitch.ndaCount}</span> NDA requests</p>
  ${action}
</article>`,
  );
}

export function loginPage(next: string, error: string | undefined, faults: PageFaults): Html {
  return layout(
    { title: 'Log in', user: undefined, faults },
    html`<h1>Log in</h1>
<form class="login" method="post" action="/login">
  <input type="hidden" name="next" value="${next}">
  <label>Email <input name="email" type="email" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
  <button type="submit">Log in</button>
</form>`,
  );
}

export interface DashboardView {
  ndas: Nda[];
  suggested: Pitch | undefined;
  myPitches: Pitch[];
}

export function dashboardPage(user: User, view: DashboardView, faults: PageFaults): Html {
  const { ndas, suggested, myPitches } = view;
  return layout(
    { title: 'Dashboard', user, faults },
    html`<h1>Welcome, ${user.name}</h1>
<p class="meta">Signed in as ${user.email} (${user.role})</p>
${user.role === 'creator' ? html`<h2>My pitches</h2><ul class="cards" id="my-pitches">${myPitches.map(pitchCard)}</ul>` : ''}
${
  suggested
    ? html`<section class="suggested" data-pitch-id="${suggested.id}"><h2>Suggested for you</h2>
  <p><a href="/pitch/${suggested.id}">${suggested.title}</a> — ${suggested.logline}</p>
  <button data-request-nda="${suggested.id}">Request NDA</button></section>`
    : ''
}
<h2>My NDA requests</h2>
<ul id="my-ndas">${ndas.map((n) => html`<li class="nda" data-pitch-id="${n.pitchId}">${n.pitchTitle} — ${n.status}</li>`)}</ul>`,
  );
}

export function notFoundPage(what: string, faults: PageFaults): Html {
  return layout({ title: 'Not found', user: undefined, faults }, html`<h1>Not found</h1><p>${what}</p>`);
}
