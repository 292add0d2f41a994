/**
 * Pitchey's user journeys. Credentials come from PERF_USER / PERF_PASSWORD (an investor) and
 * PERF_CREATOR_USER / PERF_CREATOR_PASSWORD, defaulting to the embedded target's seeded users;
 * passwords are set with `perf.typeSecret` inside `perf.secretly` steps, so no trace, report
 * or log holds them.
 */

import type { Page } from '@playwright/test';
import { DEMO_PASSWORD } from '../target/seed.ts';
import { expect, type Perf, test } from './fixtures.ts';

const investor = {
  email: process.env.PERF_USER || 'investor1@pitchey.test',
  password: process.env.PERF_PASSWORD || DEMO_PASSWORD,
};
const creator = {
  email: process.env.PERF_CREATOR_USER || 'creator1@pitchey.test',
  password: process.env.PERF_CREATOR_PASSWORD || process.env.PERF_PASSWORD || DEMO_PASSWORD,
};

/** The login page, then the form sent with the password set secretly, landing on the dashboard. */
async function logIn(page: Page, perf: Perf, user: { email: string; password: string }): Promise<void> {
  await perf.navigate('login page', async () => {
    await page.goto('/login?next=/dashboard');
  });
  await perf.secretly('log in', async () => {
    await page.fill('input[name=email]', user.email);
    await perf.typeSecret('input[name=password]', user.password);
    await Promise.all([page.waitForURL(/\/dashboard$/), page.click('button[type=submit]')]);
  });
}

test('visitor: home page and a trending pitch', async ({ page, perf }) => {
  await perf.navigate('home', async () => {
    await page.goto('/');
  });
  await perf.navigate('trending pitch', async () => {
    await page.locator('#trending .pitch-card h3 a').first().click();
    await expect(page.locator('article.pitch h1')).toBeVisible();
  });
});

test('investor: log in, browse, open a pitch, request an NDA, see it on the dashboard', async ({
  page,
  perf,
}) => {
  await logIn(page, perf, investor);
  // The dashboard suggests a pitch this investor has not asked about: repeatable iterations.
  const pitchId = await page.locator('.suggested').getAttribute('data-pitch-id');
  expect(pitchId).toBeTruthy();
  await perf.navigate('browse', async () => {
    await page.goto('/browse');
  });
  await perf.navigate('filter by genre', async () => {
    await Promise.all([page.waitForURL(/genre=drama/), page.selectOption('select[name=genre]', 'drama')]);
  });
  await perf.navigate('next page', async () => {
    await Promise.all([page.waitForURL(/page=2/), page.click('a[rel=next]')]);
  });
  await perf.step('search on the page', async () => {
    // Typed key by key: real input events, so the page has an interaction to time (INP).
    await page.locator('#q').pressSequentially('the');
    await expect(page.locator('#shown-count')).not.toHaveText('');
  });
  await perf.navigate('open pitch', async () => {
    await page.goto(`/pitch/${pitchId}`);
  });
  await perf.step('request NDA', async () => {
    await page.click('button[data-request-nda]');
    await expect(page.locator('button[data-request-nda]')).toHaveText('NDA requested');
  });
  await perf.navigate('dashboard', async () => {
    await page.goto('/dashboard');
    await expect(page.locator(`#my-ndas li[data-pitch-id="${pitchId}"]`)).toHaveCount(1);
  });
});

test('creator: log in and view the dashboard', async ({ page, perf }) => {
  await logIn(page, perf, creator);
  await perf.step('my pitches', async () => {
    await expect(page.locator('#my-pitches .pitch-card').first()).toBeVisible();
  });
});
