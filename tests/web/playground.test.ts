// The playground in headless Chromium against the real server on the
// generated test model: the form mirrors schema.json, a prediction shows its
// heatmap, token chips, alignment, strips, counts, raw JSON and curl (each
// checked against the server asked directly), a 422 lands next to its field,
// a long prediction shows progress and can be canceled, and the page fits a
// phone. Screenshots go to tests/artifacts/ (git-ignored).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../helpers/web/browser.ts';
import { argmax, assertClose, bestMatches, predictDirect, rejectionOf } from '../helpers/web/oracle.ts';
import { artifact, heatmapValues, openPlayground, pasteLines, readClipboard, runStatus, setTexts, submit } from '../helpers/web/playground-page.ts';
import { startPlaygroundServer, type PlaygroundServer, type WorkerHold } from '../helpers/web/playground-server.ts';

const run = promisify(execFile);
const SCHEMA = JSON.parse(readFileSync(new URL('../../schema.json', import.meta.url), 'utf8'));
const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/playground.png', import.meta.url));
const KINDS = ['dense', 'sparse', 'colbert', 'hybrid'] as const;
const KIND_LABELS = { dense: 'Dense', sparse: 'Sparse', colbert: 'ColBERT', hybrid: 'Hybrid' };

const skip = chromiumMissing();
if (skip) console.log(skip);

describe('the playground in Chromium', { skip }, () => {
  let server: PlaygroundServer;
  let browser: Browser;

  before(async () => {
    server = await startPlaygroundServer();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the form shows every input of schema.json in x-order, with its title, description, default and bounds', async () => {
    const { page, context, errors } = await openPlayground(browser, server.url);
    const props = Object.entries(SCHEMA.Input.properties as Record<string, any>).sort((a, b) => a[1]['x-order'] - b[1]['x-order']);
    const shown = await page.locator('#fields > [data-field]').evaluateAll((els) => els.map((e) => e.getAttribute('data-field')));
    assert.deepEqual(
      shown,
      props.map(([name]) => name),
    );
    for (const [name, prop] of props) {
      const text = await page.locator(`[data-field="${name}"]`).innerText();
      // Backticked names in descriptions are shown as code, without the backticks.
      for (const part of [prop.title, prop.description.replaceAll('`', '')]) assert.ok(text.includes(part), `${name} lacks "${part}"`);
      if (prop.default !== undefined) assert.ok(text.includes(`Default ${JSON.stringify(prop.default)}.`), `${name} lacks its default`);
      const bounds = prop.maximum === undefined ? `at least ${prop.minimum}` : `${prop.minimum} to ${prop.maximum}`;
      if (prop.minimum !== undefined) assert.ok(text.includes(`Allowed: ${bounds}.`), `${name} lacks its bounds`);
      if (prop.minItems !== prop.maxItems) assert.ok(text.includes(`${prop.minItems} to ${prop.maxItems} items`), `${name} lacks its item bounds`);
      if (prop.type === 'boolean') assert.equal(await page.getByLabel(prop.title, { exact: true }).isChecked(), prop.default);
      if (prop.type === 'integer') assert.equal(await page.getByLabel(prop.title, { exact: true }).inputValue(), String(prop.default ?? ''));
    }
    const weights = await page.locator('[data-field="score_weights"] input').evaluateAll((els) => els.map((e) => Number((e as HTMLInputElement).value)));
    assert.deepEqual(weights, SCHEMA.Input.properties.score_weights.default);
    if (server.banner) assert.equal(await page.locator('#banner').innerText(), server.banner);
    await page.screenshot({ path: artifact('playground-form.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the texts list editor adds, pastes and removes texts, by mouse and keyboard', async () => {
    const { page, context } = await openPlayground(browser, server.url);
    await setTexts(page, ['one', 'two', 'three', '', 'four']);
    const values = () => page.locator('.texts-item').evaluateAll((els) => els.map((e) => (e as HTMLTextAreaElement).value));
    assert.deepEqual(await values(), ['one', 'two', 'three', 'four'], 'blank pasted lines are skipped');
    assert.equal(await page.locator('.texts-count').innerText(), '4 texts');
    await page.getByRole('button', { name: 'Remove text 2' }).click();
    assert.deepEqual(await values(), ['one', 'three', 'four']);
    await page.getByRole('button', { name: 'Remove text 1' }).focus();
    await page.keyboard.press('Enter');
    assert.deepEqual(await values(), ['three', 'four']);
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLTextAreaElement).value), 'three', 'focus moves to the next text');
    await pasteLines(page, ['x', 'y'], 'Replace all texts');
    assert.deepEqual(await values(), ['x', 'y']);
    await context.close();
  });

  test('a prediction shows the heatmap, token chips, alignment, strips, counts, raw JSON and curl, as the server computes them', async () => {
    const { page, context, errors } = await openPlayground(browser, server.url);
    const texts = [
      'BGE M3 supports dense retrieval, lexical matching and multi-vector interaction.',
      'The cat sat on the mat.',
      'Lexical matching finds shared words.',
      'Привет, мир! Γειά σου κόσμε.',
      'A long text that will be cut. '.repeat(12).trim(),
    ];
    const query = 'lexical matching';
    await setTexts(page, texts, 3);
    await page.getByLabel('Max Length', { exact: true }).fill('40');
    await page.getByLabel('Return Colbert', { exact: true }).check();
    await page.getByLabel('Query', { exact: true }).fill(query);
    await submit(page);
    await page.locator('#heatmap table.heatmap').waitFor();
    assert.equal(await runStatus(page), 'succeeded');

    const input = { texts, max_length: 40, return_colbert: true, query };
    const out = await predictDirect(server.url, input);
    const q = await predictDirect(server.url, { texts: [query], max_length: 40, return_colbert: true });

    await checkSummary(page, [q.token_counts[0], ...out.token_counts], [false, ...out.truncated]);
    await checkHeatmap(page, out);
    await page.locator('#heatmap').screenshot({ path: artifact('playground-heatmap.png') });
    await checkChips(page, [q, out], texts.length);
    await page.locator('#sparse').screenshot({ path: artifact('playground-sparse.png') });
    await checkAlignment(page, q.colbert_vecs[0], out);
    await page.locator('#alignment').screenshot({ path: artifact('playground-alignment.png') });
    await checkDenseCopy(page, out.dense_vecs[0], texts.length + 1);
    await checkRawJson(page, out);
    await checkCurl(page, out);
    await page.screenshot({ path: artifact('playground-results.png'), fullPage: true });
    if (process.env.PLAYGROUND_DOCS_SCREENSHOT) await docsScreenshot(page);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the output shapes are selects from the schema; with indices_values and base64 every view shows what the defaults show', async () => {
    const { page, context, errors } = await openPlayground(browser, server.url);
    for (const name of ['sparse_format', 'vector_encoding']) {
      const select = page.getByLabel(SCHEMA.Input.properties[name].title, { exact: true });
      const options = await select.locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
      assert.deepEqual(options, SCHEMA.Input.properties[name].enum);
      assert.equal(await select.inputValue(), SCHEMA.Input.properties[name].default);
    }
    const texts = ['It costs 5.5 or 5 or 0.5 dollars.', 'e.g. www.example.com and 中文', 'The cat sat on the mat.'];
    const query = 'what does it cost';
    await setTexts(page, texts, 1);
    await page.getByLabel('Return Colbert', { exact: true }).check();
    await page.getByLabel('Query', { exact: true }).fill(query);
    await page.getByLabel('Sparse Format', { exact: true }).selectOption('indices_values');
    await page.getByLabel('Vector Encoding', { exact: true }).selectOption('base64');
    await submit(page);
    await page.locator('#heatmap table.heatmap').waitFor();
    assert.equal(await runStatus(page), 'succeeded');

    // The server's default shapes are the oracle for every view.
    const out = await predictDirect(server.url, { texts, return_colbert: true, query });
    const q = await predictDirect(server.url, { texts: [query], return_colbert: true });
    await checkHeatmap(page, out);
    await checkChips(page, [q, out], texts.length);
    await checkAlignment(page, q.colbert_vecs[0], out);
    await checkDenseCopy(page, out.dense_vecs[0], texts.length + 1);
    const raw = await openRawJson(page);
    assert.equal(typeof raw.output.dense_vecs[0], 'string', 'the raw JSON is what the server sent');
    assert.deepEqual(Object.keys(raw.output.lexical_weights[0]), ['indices', 'values']);
    assert.deepEqual(raw.input.sparse_format, 'indices_values');

    await page.getByLabel('Sparse Format', { exact: true }).selectOption('tokens');
    await submit(page);
    await page.locator('#sparse .chip').first().waitFor();
    const chips = await page
      .locator('#sparse .chips-block')
      .nth(1)
      .locator('.chip')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-token-id'), e.textContent]));
    const tokensOut = await predictDirect(server.url, { texts, sparse_format: 'tokens' });
    const expected = Object.entries(tokensOut.lexical_weights[0] as Record<string, number>).sort((a, b) => b[1] - a[1]);
    assert.deepEqual(
      chips.map(([key]) => key),
      expected.map(([key]) => key),
      'tokens chips keep the keys the server sent',
    );
    assert.ok(
      chips.some(([key, text]) => key === '%2E' && text === '.'),
      'an escaped key reads as its text',
    );
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a value the server rejects gets its 422 message next to its field, and clears when fixed', async () => {
    const { page, context } = await openPlayground(browser, server.url);
    await setTexts(page, ['hello']);
    const maxLength = page.getByLabel('Max Length', { exact: true });
    await maxLength.fill('0');
    await submit(page);
    const message = page.locator('[data-field="max_length"] .field-error');
    await message.waitFor({ state: 'visible' });
    const rejection = await rejectionOf(server.url, { texts: ['hello'], max_length: 0 });
    const expected = rejection.invalid_fields?.[0]?.description ?? rejection.detail?.[0]?.msg;
    assert.equal(await message.innerText(), expected);
    assert.equal(await maxLength.getAttribute('aria-invalid'), 'true');
    assert.ok((await maxLength.getAttribute('aria-describedby'))!.includes((await message.getAttribute('id'))!));
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).getAttribute('name')), 'max_length', 'focus goes to the field');
    assert.equal(await page.locator('[data-field="return_dense"] .field-error').isVisible(), false);
    await page.locator('#predict-form').screenshot({ path: artifact('playground-422.png') });

    await maxLength.fill('16');
    await submit(page);
    await page.locator('#heatmap').waitFor();
    assert.equal(await message.isVisible(), false);
    assert.equal(await maxLength.getAttribute('aria-invalid'), null);
    await context.close();
  });

  test('a long prediction shows its status, logs and progress, and Cancel cancels it', { timeout: 180_000 }, async (t) => {
    const worker = server.worker;
    if (!worker) return t.skip("PLAYGROUND_URL: this test holds batches on the test server's model worker");
    const { page, context, errors } = await openPlayground(browser, server.url);
    // Texts of 8192 tokens, several batches' worth. The test holds the second batch in flight, so the
    // prediction is running with the first batch's texts embedded when Cancel is clicked, however fast
    // or slow the machine is.
    const texts = 8;
    const long = Array.from({ length: texts }, (_, i) => `${i} ${'x y z '.repeat(1400)}`);
    await setTexts(page, long, 0);
    const first = worker.holdNext();
    let second: WorkerHold | undefined;
    try {
      await first.armed;
      await submit(page);
      await first.holding;
      second = worker.holdNext(); // taken by the worker while it runs the first batch, before the second comes
      first.resume();
      await second.holding;
      await page.locator('#run-logs', { hasText: 'embedded' }).waitFor({ timeout: 60_000 });
      const seen = await page.locator('#run').evaluate((run) => ({
        status: run.dataset.status,
        text: run.querySelector('#run-status')?.textContent,
        bar: [(run.querySelector('progress') as HTMLProgressElement).value, (run.querySelector('progress') as HTMLProgressElement).max],
      }));
      assert.equal(seen.status, 'processing');
      assert.match(seen.text ?? '', /Embedding/);
      assert.equal(seen.bar[1], texts);
      assert.ok(seen.bar[0] >= 1 && seen.bar[0] < texts, `progress ${seen.bar[0]}/${seen.bar[1]}`);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.waitForFunction(() => ['canceled', 'succeeded', 'failed'].includes(document.getElementById('run')?.dataset.status ?? ''), null, {
        timeout: 60_000,
      });
    } finally {
      // The worker runs the held batch for nothing, then is free for the next test.
      for (const held of [first, second]) held?.resume();
    }
    assert.equal(await runStatus(page), 'canceled');
    assert.equal(await page.locator('#run-status').innerText(), 'Canceled.');
    assert.match(await page.locator('#run-logs').innerText(), new RegExp(`embedded \\d+/${texts} texts`));
    await page.locator('#run').screenshot({ path: artifact('playground-canceled.png') });
    const id = await page.locator('#run').getAttribute('data-prediction-id');
    const stored = await (await fetch(`${server.url}/v1/predictions/${id}`)).json();
    assert.equal(stored.status, 'canceled');
    assert.equal(await page.locator('#results').innerHTML(), '', 'a canceled run shows no results');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('views that need ColBERT vectors say so, and fetch them on request', async () => {
    const { page, context, errors } = await openPlayground(browser, server.url);
    await setTexts(page, ['The cat sat on the mat.', 'Lexical matching finds shared words.']);
    await page.getByLabel('Query', { exact: true }).fill('where is the cat');
    await submit(page);
    await page.locator('#heatmap table[data-kind="dense"]').waitFor();
    await page.locator('#heatmap .segment', { hasText: 'ColBERT' }).click();
    assert.match(await page.locator('#heatmap .need').innerText(), /needs return_colbert/);
    assert.match(await page.locator('#alignment .need').innerText(), /needs ColBERT vectors \(return_colbert\)/);
    await page.locator('#alignment').getByRole('button', { name: 'Run again with return_colbert' }).click();
    await page.locator('#alignment table.alignment').waitFor();
    assert.equal(await page.getByLabel('Return Colbert', { exact: true }).isChecked(), true);
    assert.equal(await runStatus(page), 'succeeded');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('with chunk_tokens a long text shows its chunks as highlighted spans, each badge with its score against the query as the server gives it', async () => {
    const { page, context, errors } = await openPlayground(browser, server.url);
    const text = [
      'The cat sat on the mat while the rain fell over Paris.',
      'Dense retrieval maps every passage to a single vector.',
      'Lexical matching finds shared words between a query and a passage.',
      'A multi-vector model stores one embedding per token.',
    ].join(' ');
    const query = 'lexical matching of shared words';
    await setTexts(page, [text, 'short one']);
    await page.getByLabel('Chunk Tokens', { exact: true }).fill('12');
    await page.getByLabel('Chunk Overlap', { exact: true }).fill('3');
    await page.getByLabel('Query', { exact: true }).fill(query);
    await submit(page);
    await page.locator('#chunks .chunk-spans').first().waitFor();
    const out = await predictDirect(server.url, { texts: [text, 'short one'], chunk_tokens: 12, chunk_overlap: 3, query });
    const first = page.locator('#chunks .chunked-text[data-text="0"]');
    const chunks = out.chunks.filter((c: any) => c.text_index === 0);
    assert.ok(chunks.length > 3);
    // The highlighted pieces give the text back, and each piece is marked with the chunks holding it.
    const pieces = await first.locator('.chunk-seg').evaluateAll((els) => els.map((e) => ({ text: e.textContent, chunks: e.getAttribute('data-chunks') })));
    assert.equal(pieces.map((p) => p.text).join(''), text);
    let at = 0;
    for (const piece of pieces) {
      const holding = chunks.filter((c: any) => c.start <= at && at < c.end).map((c: any) => c.chunk_index);
      assert.equal(piece.chunks, holding.join(' '), `piece at ${at}`);
      at += [...piece.text!].length;
    }
    // One badge per chunk with its hybrid score, the best starred.
    const badges = await first.locator('.chunk-badge').allInnerTexts();
    const best = out.scores.best_chunk.chunk_index[0];
    assert.deepEqual(
      badges,
      chunks.map((c: any) => `${c.chunk_index === best ? '★' : ''}#${c.chunk_index} ${c.scores.hybrid.toFixed(3)}`),
    );
    const rows = await first.locator('table.chunk-table tbody tr').allInnerTexts();
    assert.equal(rows.length, chunks.length);
    chunks.forEach((c: any, i: number) => assert.ok(rows[i].includes(c.scores.dense.toFixed(4)) && rows[i].includes(`${c.start}–${c.end}`), rows[i]));
    await page.locator('#chunks').screenshot({ path: artifact('playground-chunks.png') });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the Rerank view opens with a multilingual example; one click ranks it as /predictions scores it, with the ColBERT alignment of a chosen passage', async () => {
    const { page, context, errors } = await openPlayground(browser, server.url);
    const query = await page.getByLabel('Rerank query', { exact: true }).inputValue();
    const passages = (await page.getByLabel('Passages, one per line', { exact: true }).inputValue()).split('\n').filter((l) => l.trim());
    assert.ok(query.trim() && passages.length >= 3, 'an example is filled in');
    const scripts = [/\p{Script=Latin}/u, /\p{Script=Han}/u, /\p{Script=Hiragana}/u].filter((re) => passages.some((p) => re.test(p)));
    assert.ok(scripts.length >= 2, 'the example passages are in several languages');
    await page.getByRole('button', { name: 'Rerank', exact: true }).click();
    await page.locator('#rerank-ranking table.rerank').waitFor();

    // The oracle: /predictions' scores for the same texts and query, asked directly.
    const out = await predictDirect(server.url, { texts: passages, query, return_dense: false, return_sparse: false });
    await checkRanking(page, out.scores, out.scores.hybrid);
    await page.locator('#rerank').screenshot({ path: artifact('playground-rerank.png') });

    // The top passage's alignment is shown first; another one on request.
    const q = await predictDirect(server.url, { texts: [query], return_colbert: true, return_sparse: false });
    const top = argmax(out.scores.hybrid);
    const last = out.scores.hybrid.indexOf(Math.min(...out.scores.hybrid));
    await checkRerankAlignment(page, server.url, top, q.colbert_vecs[0], passages, out.scores.colbert);
    await page.getByRole('button', { name: `Align P${last + 1} with the query` }).click();
    await checkRerankAlignment(page, server.url, last, q.colbert_vecs[0], passages, out.scores.colbert);

    // Other weights: all on dense ranks by the dense score.
    for (const [label, value] of [
      ['Dense weight', '1'],
      ['Sparse weight', '0'],
      ['ColBERT weight', '0'],
    ])
      await page.getByLabel(label, { exact: true }).fill(value);
    await page.getByRole('button', { name: 'Rerank', exact: true }).click();
    await page.locator('#rerank-status', { hasText: 'weights [1, 0, 0]' }).waitFor();
    await checkRanking(page, out.scores, out.scores.dense);

    assert.deepEqual(errors, []);

    // The server's refusal is shown as it said it (Chromium logs the failed request itself).
    await page.getByLabel('Passages, one per line', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Rerank', exact: true }).click();
    await page.locator('#rerank-status.error').waitFor();
    assert.match(await page.locator('#rerank-status').innerText(), /400.*documents/);
    assert.deepEqual(
      errors.filter((e) => !/status of 400/.test(e)),
      [],
    );
    await context.close();
  });

  test('on a phone-width screen nothing overflows sideways, and every control has a name', async () => {
    const { page, context, errors } = await openPlayground(browser, server.url, { width: 390, height: 844 });
    await setTexts(page, ['The cat sat on the mat.', 'Lexical matching finds shared words.']);
    await page.getByLabel('Return Colbert', { exact: true }).check();
    await page.getByLabel('Query', { exact: true }).fill('where is the cat');
    await submit(page);
    await page.locator('#alignment table').waitFor();
    await page.getByRole('button', { name: 'Rerank', exact: true }).click();
    await page.locator('#rerank-alignment table').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    const unnamed = await page.locator('button, input, select, textarea, [tabindex="0"]').evaluateAll((els) =>
      els
        .filter((e) => !(e as HTMLElement).closest('[hidden]'))
        .filter((e) => {
          const labels = (e as HTMLInputElement).labels;
          return !labels?.length && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby') && !(e.textContent ?? '').trim();
        })
        .map((e) => e.outerHTML.slice(0, 120)),
    );
    assert.deepEqual(unnamed, []);
    await page.screenshot({ path: artifact('playground-phone.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });
});

/** The ranking shown: best first by `by`, each row with /predictions' four scores. */
async function checkRanking(page: Page, scores: Record<string, number[]>, by: number[]): Promise<void> {
  const rows = page.locator('#rerank-ranking table.rerank tbody tr');
  const order = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-index'))));
  assert.deepEqual(
    order,
    by.map((_, i) => i).sort((a, b) => by[b] - by[a] || a - b),
    'best first',
  );
  const shown = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td[data-score]')].map((td) => Number(td.getAttribute('data-score')))));
  shown.forEach((cells, row) => {
    const i = order[row];
    ['dense', 'sparse', 'colbert'].forEach((k, j) => assertClose(cells[j + 1], scores[k][i], `${k} of P${i + 1}`, 1e-6));
    assertClose(cells[0], by === scores.dense ? scores.dense[i] : scores.hybrid[i], `hybrid of P${i + 1}`, 1e-6);
  });
}

/** The alignment under the ranking: passage P{index+1} against the query, MaxSim as computed here from /predictions' vectors. */
async function checkRerankAlignment(page: Page, serverUrl: string, index: number, queryRows: number[][], passages: string[], colbert: number[]): Promise<void> {
  const section = page.locator('#rerank-alignment');
  await section
    .getByLabel('Passage', { exact: true })
    .locator(`option[value="P${index + 1}"]`)
    .waitFor({ state: 'attached' });
  const p = await predictDirect(serverUrl, { texts: [passages[index]], return_colbert: true, return_sparse: false });
  const best = await section.locator('table.alignment tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-best'))));
  assert.deepEqual(best, bestMatches(queryRows, p.colbert_vecs[0]), `best matches of the query in P${index + 1}`);
  assertClose(Number(await section.locator('[data-score]').getAttribute('data-score')), colbert[index], `ColBERT score of P${index + 1}`);
}

async function checkSummary(page: Page, counts: number[], truncated: boolean[]): Promise<void> {
  const rows = page.locator('#summary tbody tr');
  assert.deepEqual(await rows.locator('td.num').evaluateAll((tds) => tds.map((td) => parseInt(td.textContent ?? '', 10))), counts);
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.classList.contains('truncated'))), truncated);
  assert.ok(truncated.some(Boolean), 'the test needs a truncated text');
  const warning = await page.locator('#summary .warning').innerText();
  assert.match(warning, new RegExp(`${truncated.filter(Boolean).length} of ${counts.length} inputs were longer than max_length`));
}

async function checkHeatmap(page: Page, out: any): Promise<void> {
  for (const kind of KINDS) {
    await page.locator('#heatmap .segment', { hasText: KIND_LABELS[kind] }).click();
    await page.locator(`#heatmap table[data-kind="${kind}"]`).waitFor();
    const m = await heatmapValues(page);
    assert.equal(m.length, out.token_counts.length + 1);
    out.scores[kind].forEach((s: number, j: number) => assertClose(m[0][j + 1], s, `${kind} heatmap: query vs text ${j + 1}`));
    if (kind === 'dense') m.forEach((row, i) => assertClose(row[i], 1, `dense heatmap diagonal ${i}`));
    assert.match(await page.locator('#heatmap [data-agreement]').innerText(), /agrees with the server's scores/);
  }
  await page.locator('#heatmap .segment', { hasText: 'Dense' }).click();
}

async function checkChips(page: Page, outputs: any[], textCount: number): Promise<void> {
  const blocks = page.locator('#sparse .chips-block');
  assert.equal(await blocks.count(), textCount + 1);
  const weightsPerBlock = [outputs[0].lexical_weights[0], ...outputs[1].lexical_weights];
  const tokens = { ...outputs[1].lexical_tokens, ...outputs[0].lexical_tokens };
  for (let b = 0; b < weightsPerBlock.length; b++) {
    const chips = await blocks
      .nth(b)
      .locator('.chip')
      .evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-token-id'), text: e.textContent })));
    const expected = Object.entries(weightsPerBlock[b] as Record<string, number>).sort((x, y) => y[1] - x[1]);
    assert.deepEqual(
      chips.map((c) => c.id),
      expected.map(([id]) => id),
      `chips of block ${b}, heaviest first`,
    );
    assert.deepEqual(
      chips.map((c) => c.text),
      expected.map(([id]) => tokens[id] || '▁'),
      'chips read as lexical_tokens (▁ for the bare word start)',
    );
  }
  const first = blocks.nth(1).locator('.chip').first();
  await first.focus();
  const tip = await first.evaluate((e) => getComputedStyle(e, '::after').content);
  const [id, weight] = Object.entries(weightsPerBlock[1] as Record<string, number>).sort((x, y) => y[1] - x[1])[0];
  assert.ok(tip.includes(`weight ${weight.toFixed(4)}, id ${id}`), `focus shows the weight, got ${tip}`);
}

async function checkAlignment(page: Page, queryRows: number[][], out: any): Promise<void> {
  const select = page.getByLabel('Passage', { exact: true });
  const strongest = argmax(out.scores.colbert);
  assert.equal(await select.inputValue(), `T${strongest + 1}`, 'the passage the query matches best is chosen first');
  for (const p of [strongest, (strongest + 1) % out.colbert_vecs.length]) {
    await select.selectOption(`T${p + 1}`);
    const best = await page.locator('#alignment table.alignment tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-best'))));
    assert.deepEqual(best, bestMatches(queryRows, out.colbert_vecs[p]), `best matches of the query in T${p + 1}`);
    const score = Number(await page.locator('#alignment [data-score]').getAttribute('data-score'));
    assertClose(score, out.scores.colbert[p], `ColBERT score shown for T${p + 1}`);
  }
  await select.selectOption(`T${strongest + 1}`);
  const lastRow = await page.locator('#alignment table.alignment tbody tr').last().locator('th').innerText();
  assert.equal(lastRow, '</s>');
}

async function checkDenseCopy(page: Page, vector: number[], strips: number): Promise<void> {
  assert.equal(await page.locator('#dense .strip').count(), strips);
  await page.getByRole('button', { name: 'Copy the dense vector of T1' }).click();
  await page.locator('#dense .copy-status', { hasText: 'Copied' }).first().waitFor();
  const copied = JSON.parse(await readClipboard(page));
  assert.equal(copied.length, vector.length);
  copied.forEach((v: number, i: number) => assertClose(v, vector[i], `copied dense[${i}]`, 1e-6));
}

/** Opens the raw JSON view and parses it once its toggle handler has filled it in. */
async function openRawJson(page: Page): Promise<any> {
  await page.getByText('Raw JSON of the prediction').click();
  const pre = page.getByLabel('Raw JSON', { exact: true });
  await page.waitForFunction((e) => e?.textContent !== '', await pre.elementHandle());
  return JSON.parse(await pre.innerText());
}

async function checkRawJson(page: Page, out: any): Promise<void> {
  const raw = await openRawJson(page);
  assert.equal(raw.status, 'succeeded');
  assert.deepEqual(raw.output.token_counts, out.token_counts);
  assert.deepEqual(raw.output.truncated, out.truncated);
  assert.deepEqual(Object.keys(raw.output).sort(), Object.keys(out).sort());
}

async function checkCurl(page: Page, out: any): Promise<void> {
  await page.getByRole('button', { name: 'Copy as curl' }).click();
  const command = await readClipboard(page);
  assert.match(command, /^curl /);
  const { stdout } = await run('/bin/sh', ['-c', command], { maxBuffer: 64 * 1024 * 1024 });
  const viaCurl = JSON.parse(stdout);
  assert.equal(viaCurl.status, 'succeeded');
  assert.deepEqual(viaCurl.output.token_counts, out.token_counts);
  viaCurl.output.dense_vecs.forEach((v: number[], i: number) => v.forEach((x, k) => assertClose(x, out.dense_vecs[i][k], `curl dense[${i}][${k}]`, 1e-5)));
}

/** The README's picture: the similarity and token views at desktop width, kept small. */
async function docsScreenshot(page: Page): Promise<void> {
  const top = await page.locator('#heatmap').evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
  await page.screenshot({ path: artifact('playground-docs.png'), fullPage: true, clip: { x: 0, y: top - 8, width: 1100, height: 900 } });
  copyFileSync(artifact('playground-docs.png'), DOCS_SCREENSHOT);
}
