// Drives the playground page the way a person does: by labels and roles.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const ARTIFACTS = fileURLToPath(new URL('../../artifacts/', import.meta.url));

export interface OpenPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
}

export async function openPlayground(browser: Browser, serverUrl: string, viewport = { width: 1100, height: 900 }): Promise<OpenPage> {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: serverUrl });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  await page.goto(`${serverUrl}/playground`);
  await page.locator('#submit:not([disabled])').waitFor();
  return { page, context, errors };
}

/** Puts `texts` into the list editor: the first few typed into boxes, the rest pasted as lines. */
export async function setTexts(page: Page, texts: string[], typed = 2): Promise<void> {
  const boxes = page.locator('.texts-item');
  for (let i = 0; i < Math.min(typed, texts.length); i++) {
    if (i > 0) await page.getByRole('button', { name: 'Add text' }).click();
    await boxes.nth(i).fill(texts[i]);
  }
  const rest = texts.slice(typed);
  if (!rest.length) return;
  await pasteLines(page, rest, 'Add lines');
}

/** Pastes lines into the list editor's paste box, opening it first if needed. */
export async function pasteLines(page: Page, lines: string[], button: 'Add lines' | 'Replace all texts'): Promise<void> {
  const box = page.locator('details.paste');
  if (!(await box.evaluate((d) => (d as HTMLDetailsElement).open))) await box.locator('summary').click();
  await page.getByLabel('Texts, one per line').fill(lines.join('\n'));
  await page.getByRole('button', { name: button }).click();
}

export async function submit(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Embed' }).click();
}

export async function runStatus(page: Page): Promise<string> {
  return (await page.locator('#run').getAttribute('data-status')) ?? '';
}

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return `${ARTIFACTS}${name}`;
}

/** The numbers of the heatmap currently shown, row by row. */
export async function heatmapValues(page: Page): Promise<number[][]> {
  return page
    .locator('#heatmap table.heatmap tbody tr')
    .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-value')))));
}

export async function readClipboard(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}
