// The playground against a server with API keys on, in headless Chromium: the
// first 401 opens a dialog asking for the key, a refused key asks again, the
// accepted one is kept for the tab only (sessionStorage) and sent with every
// request, Cancel gives a clear error, and "copy as curl" sends
// `Authorization: Bearer $API_KEY` without ever holding the key itself.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../helpers/web/browser.ts';
import { artifact, openPlayground, readClipboard, runStatus, setTexts, submit } from '../helpers/web/playground-page.ts';
import { startPlaygroundServer, type PlaygroundServer } from '../helpers/web/playground-server.ts';

const run = promisify(execFile);
const KEY = 'playground-key-7f3a9c';
const OTHER_KEY = 'second-key-1b2c3d';
const REFUSED = /Failed to load resource: the server responded with a status of 401/;

const skip = chromiumMissing() || (process.env.PLAYGROUND_URL ? 'PLAYGROUND_URL is set: the API-key test needs its own server with API_KEYS' : false);
if (skip) console.log(skip);

/** Counts how often the key dialog opens. */
async function countDialogs(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(() => {
    const d = document.getElementById('key-dialog') as HTMLDialogElement & { opened?: number };
    d.opened = 0;
    const show = d.showModal.bind(d);
    d.showModal = () => {
      d.opened! += 1;
      show();
    };
  });
  return () => page.evaluate(() => (document.getElementById('key-dialog') as HTMLDialogElement & { opened: number }).opened);
}

async function dialogMessage(page: Page, re: RegExp): Promise<void> {
  await keyDialog(page).waitFor();
  await page.locator('#key-message', { hasText: re }).waitFor();
}

const keyDialog = (page: Page) => page.getByRole('dialog', { name: 'API key needed' });

const pageErrors = (errors: string[]) => errors.filter((e) => !REFUSED.test(e));

describe('the playground with API keys on', { skip }, () => {
  let server: PlaygroundServer;
  let browser: Browser;

  before(async () => {
    server = await startPlaygroundServer({ API_KEYS: `${KEY},${OTHER_KEY}` });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a 401 asks for the key; a refused key asks again; the right one runs the prediction', async () => {
    const { page, context, errors } = await openPlayground(browser, server.url);
    const opened = await countDialogs(page);
    await setTexts(page, ['The cat sat on the mat.', 'Keys keep strangers out.']);
    await submit(page);
    await dialogMessage(page, /needs an API key/);
    assert.equal(await page.getByLabel('API key', { exact: true }).getAttribute('type'), 'password');
    await page.locator('#key-dialog').screenshot({ path: artifact('playground-api-key.png') });
    await page.getByLabel('API key', { exact: true }).fill('not-the-key');
    await keyDialog(page).getByRole('button', { name: 'Use this key' }).click();
    await dialogMessage(page, /did not accept that key/);
    await page.getByLabel('API key', { exact: true }).fill(KEY);
    await page.keyboard.press('Enter');
    await page.locator('#heatmap').waitFor();
    assert.equal(await runStatus(page), 'succeeded');
    assert.equal(await opened(), 2);
    assert.equal(await page.locator('#key-dialog').evaluate((d) => (d as HTMLDialogElement).open), false);

    // Kept for this tab only: sessionStorage, nothing in localStorage or cookies.
    const kept = await page.evaluate(() => ({ session: Object.values(sessionStorage), local: localStorage.length, cookie: document.cookie }));
    assert.deepEqual(kept, { session: [KEY], local: 0, cookie: '' });

    // The prediction belongs to the key: visible with it, not with another key.
    const id = await page.locator('#run').getAttribute('data-prediction-id');
    const asKey = (k: string) => fetch(`${server.url}/v1/predictions/${id}`, { headers: { authorization: `Bearer ${k}` } });
    assert.equal((await asKey(KEY)).status, 200);
    assert.equal((await asKey(OTHER_KEY)).status, 404);

    await checkCurl(page);

    // A reload keeps the tab's key: the next run asks nothing.
    await page.reload();
    await page.locator('#submit:not([disabled])').waitFor();
    const openedAfterReload = await countDialogs(page);
    await setTexts(page, ['Still authorized.']);
    await submit(page);
    await page.locator('#heatmap').waitFor();
    assert.equal(await runStatus(page), 'succeeded');
    assert.equal(await openedAfterReload(), 0);
    assert.deepEqual(pageErrors(errors), []);
    await context.close();
  });

  test('another tab asks again; Cancel ends the run with a message saying a key is needed', async () => {
    const { page, context, errors } = await openPlayground(browser, server.url);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a new tab starts without a key');
    await setTexts(page, ['No key here.']);
    await submit(page);
    await dialogMessage(page, /needs an API key/);
    await keyDialog(page).getByRole('button', { name: 'Cancel' }).click();
    await page.locator('#run[data-status="error"]').waitFor();
    assert.match(await page.locator('#run-status').innerText(), /needs an API key/);
    assert.equal(await page.getByRole('button', { name: 'Embed' }).isDisabled(), false, 'the form can be sent again');
    // Escape closes the dialog the same way.
    await submit(page);
    await dialogMessage(page, /needs an API key/);
    await page.keyboard.press('Escape');
    await page.locator('#run[data-status="error"]').waitFor();
    assert.deepEqual(pageErrors(errors), []);
    await context.close();
  });
});

/** The copied command names $API_KEY, not the key, and works once the shell has API_KEY. */
async function checkCurl(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Copy as curl' }).click();
  const command = await readClipboard(page);
  assert.ok(command.includes('-H "Authorization: Bearer $API_KEY"'), command);
  assert.ok(!command.includes(KEY), 'the key itself is not in the command');
  assert.equal(
    await page
      .locator('#curl-command')
      .innerText()
      .then((t) => t.includes(KEY)),
    false,
  );
  const env = { ...process.env, API_KEY: KEY };
  const ok = JSON.parse((await run('/bin/sh', ['-c', command], { env, maxBuffer: 64 * 1024 * 1024 })).stdout);
  assert.equal(ok.status, 'succeeded');
  const without = JSON.parse((await run('/bin/sh', ['-c', command], { env: { ...process.env, API_KEY: '' } })).stdout);
  assert.match(without.detail, /requires an API key/);
}
