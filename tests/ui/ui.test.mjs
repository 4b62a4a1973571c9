// End-to-end test of the emulator's live web UI in real headless Chromium (Debian's `chromium`,
// driven by playwright-core): start the emulator, open /emulator/ui, play the quick start against
// the emulator, and check what the page draws. Screenshots go to out/ui/.
// Never asserts a time: the diagram's times depend on the machine.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'out', 'ui');
const EMULATOR = process.env.CALLSTEER_EMULATOR_BIN || join(ROOT, 'target/debug/callsteer-emulator');
const QUICKSTART = process.env.CALLSTEER_QUICKSTART_BIN || join(ROOT, 'target/debug/callsteer-quickstart');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const RESOURCE_ID = '7e1c1d0a-5d1b-4c83-9f41-2b7c0a9e6d11';
const TIMEOUT = 20_000;

let emulator;
let endpoint; // http://127.0.0.1:PORT/
let connectionString;
let context;
let page;
let userDataDir;
let firstCall;
const pageErrors = [];

function startEmulator() {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(EMULATOR, [
      '--port', '0', '--resource-id', RESOURCE_ID,
      '--resource-phone-number', '+16044561234', '--answer-delay-ms', '30',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the emulator exited (${code}) before starting:\n${stderr}`)));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith('CONNECTION_STRING=')) {
        connectionString = line.slice('CONNECTION_STRING='.length);
        endpoint = connectionString.match(/endpoint=([^;]+)/)[1];
        resolvePromise(child);
      }
    });
  });
}

function runQuickstart() {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(QUICKSTART, [], {
      env: { ...process.env, CALLSTEER_CONNECTION_STRING: connectionString, CALLSTEER_RESOURCE_ID: RESOURCE_ID },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise(output) : reject(new Error(`quickstart exited ${code}:\n${output}`))));
  });
}

const arrowNames = () => page.$$eval('#diagram svg.seq .arrow', (gs) => gs.map((g) => g.dataset.name));

// Asserts that `expected` appears in `names` in this order (other arrows may sit between).
function assertInOrder(names, expected) {
  let at = -1;
  for (const name of expected) {
    const next = names.indexOf(name, at + 1);
    assert.ok(next > at, `expected ${name} after position ${at} in:\n${names.join(' → ')}`);
    at = next;
  }
}

async function waitForArrow(name) {
  await page.waitForSelector(`#diagram svg.seq .arrow[data-name="${name}"]`, { timeout: TIMEOUT });
}

before(async () => {
  mkdirSync(OUT, { recursive: true });
  emulator = await startEmulator();
  userDataDir = mkdtempSync(join(tmpdir(), 'callsteer-ui-chromium-'));
  // A fresh profile, and no background traffic: this network refuses outside connections.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  page = context.pages()[0] || await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  // Opened before anything happens, so that the diagram is drawn from the live feed.
  await page.goto(`${endpoint}emulator/ui`);
  await page.waitForSelector('#feed-status.live', { timeout: TIMEOUT });
});

after(async () => {
  if (context) await context.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  if (emulator && emulator.exitCode === null) {
    emulator.removeAllListeners('exit');
    emulator.kill('SIGTERM');
  }
});

test('the page is served by the emulator and starts empty', async () => {
  assert.equal(await page.title(), 'callsteer emulator — live calls');
  assert.equal(await page.isVisible('#calls-empty'), true);
});

test('the quick start\'s calls appear live in the list', async () => {
  const output = await runQuickstart();
  assert.match(output, /done in/);
  // The list refreshes shortly after the feed's last item: wait for both calls to have ended.
  await page.waitForFunction(() => {
    const calls = [...document.querySelectorAll('#calls button.call')].filter((b) => b.dataset.call !== '_unassigned');
    return calls.length >= 2 && calls.every((b) => /disconnected/.test(b.textContent));
  }, null, { timeout: TIMEOUT });
  const calls = await page.$$eval('#calls button.call', (bs) => bs.map((b) => ({ id: b.dataset.call, text: b.textContent })));
  firstCall = calls[0].id;
  assert.match(calls[0].text, /quickstart_alice/);
  assert.match(calls[0].text, /disconnected/);
  assert.match(calls[0].text, /created/);
  assert.match(calls[1].text, /answered/);
  assert.match(calls.at(-1).text, /Other traffic/);
});

test('the diagram shows the lifelines and the arrows in order', async () => {
  await page.click(`#calls button.call[data-call="${firstCall}"]`);
  await waitForArrow('CallDisconnected');
  const lifelines = await page.$$eval('#diagram svg.seq .lifeline', (gs) => gs.map((g) => g.dataset.lifeline));
  assert.deepEqual(lifelines.slice(0, 2), ['App', 'Service']);
  const heads = await page.$$eval('#diagram svg.seq .heads .head', (gs) => gs.map((g) => g.querySelector('text').textContent));
  assert.deepEqual(heads, lifelines);
  for (const who of ['8:acs:quickstart_alice', '4:+16041234567', '8:acs:quickstart_carol', '8:acs:quickstart_dave']) {
    assert.ok(lifelines.includes(who), `no lifeline for ${who}: ${lifelines}`);
  }
  assertInOrder(await arrowNames(), [
    'CreateCall', 'invited', 'answered', 'CallConnected', 'joined', 'ParticipantsUpdated',
    'AddParticipant', 'AddParticipantSucceeded', 'ParticipantsUpdated',
    'AddParticipant', 'CancelAddParticipant', 'canceled', 'CancelAddParticipantSucceeded', 'AddParticipantFailed',
    'TransferToParticipant', 'CallTransferAccepted', 'ParticipantsUpdated',
    'RemoveParticipant', 'RemoveParticipantSucceeded', 'ParticipantsUpdated',
    'TerminateCall', 'CallDisconnected',
  ]);
  // Requests go from the app to the service, events back; invitations go to the participant.
  const create = await page.$eval('#diagram .arrow[data-name="CreateCall"] text', (t) => t.textContent);
  assert.match(create, /^CreateCall {2}POST … → 201 · \d+ ms$/);
  const connected = await page.$eval('#diagram .arrow[data-name="CallConnected"] text', (t) => t.textContent);
  assert.match(connected, /CallConnected · 200\/0 · delivered, 1 attempt/);
  // The lifelines' heads stay in view while the diagram scrolls.
  await page.$eval('#diagram', (d) => { d.scrollTop = 200; });
  await page.waitForFunction(() => {
    const d = document.getElementById('diagram');
    return d.scrollTop > 0 && d.querySelector('.heads').getAttribute('transform') === `translate(0, ${d.scrollTop})`;
  }, null, { timeout: TIMEOUT });
  await page.$eval('#diagram', (d) => { d.scrollTop = 0; });
});

test('clicking an arrow shows its full JSON', async () => {
  await page.click('#diagram .arrow[data-name="CallConnected"]');
  const event = JSON.parse(await page.textContent('#details-json'));
  assert.equal(event.kind, 'event');
  assert.equal(event.event.type, 'Microsoft.Communication.CallConnected');
  assert.equal(event.event.data.callConnectionId, firstCall);
  assert.equal(event.attempts.length, 1);
  assert.match(await page.textContent('#details-title'), /CallConnected/);

  await page.click('#diagram .arrow[data-name="AddParticipant"]');
  const request = JSON.parse(await page.textContent('#details-json'));
  assert.equal(request.kind, 'request');
  assert.equal(request.method, 'POST');
  assert.equal(request.status, 202);
  assert.equal(request.requestBody.participantToAdd.rawId, '4:+16041234567');
  assert.ok(request.responseBody.invitationId);
  // Never a secret: no header, no key.
  const text = await page.textContent('#details-json');
  assert.doesNotMatch(text, /authorization|accesskey|HMAC-SHA256/i);
  assert.ok(!text.includes(connectionString.split('accesskey=')[1]));
});

test('failed outcomes stand out', async () => {
  const failed = await page.$$eval('#diagram .arrow.fail', (gs) => gs.map((g) => ({ name: g.dataset.name, label: g.querySelector('text').textContent })));
  assert.ok(failed.some((f) => f.name === 'AddParticipantFailed' && f.label.startsWith('✗') && /487\/5300/.test(f.label)), JSON.stringify(failed));
  const colours = await page.$eval('#diagram .arrow.fail line', (l) => getComputedStyle(l).stroke);
  const normal = await page.$eval('#diagram .arrow.event:not(.fail) line', (l) => getComputedStyle(l).stroke);
  assert.notEqual(colours, normal);
});

test('keyboard: Tab reaches the arrows, arrow keys move, Enter opens', async () => {
  await page.focus('#download-svg');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.name), 'CreateCall');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.name), 'invited');
  await page.keyboard.press('Enter');
  const change = JSON.parse(await page.textContent('#details-json'));
  assert.equal(change.kind, 'participant');
  assert.equal(change.participant, '8:acs:quickstart_alice');
  // The focused arrow has a visible focus style.
  const stroke = await page.evaluate(() => getComputedStyle(document.activeElement.querySelector('.hit')).strokeWidth);
  assert.equal(stroke, '2px');
  await page.screenshot({ path: join(OUT, 'diagram-light.png'), fullPage: true });
});

test('a reload draws the same diagram from the snapshot', async () => {
  const live = await arrowNames();
  await page.reload();
  await page.waitForSelector('#feed-status.live', { timeout: TIMEOUT });
  await waitForArrow('CallDisconnected');
  assert.deepEqual(await arrowNames(), live);
});

test('dark mode', async () => {
  await page.emulateMedia({ colorScheme: 'dark' });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = bg.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 120, `dark background expected, got ${bg}`);
  const fg = await page.$eval('#diagram .arrow text', (t) => getComputedStyle(t).fill);
  const [fr, fgg, fb] = fg.match(/\d+/g).map(Number);
  assert.ok(fr + fgg + fb > 500, `light text expected, got ${fg}`);
  await page.click('#diagram .arrow[data-name="AddParticipantFailed"]');
  await page.screenshot({ path: join(OUT, 'diagram-dark.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
});

test('readable at 200 % zoom: one column, no page-wide horizontal scrolling', async () => {
  await page.setViewportSize({ width: 700, height: 900 }); // 1400 px at 200 %
  const layout = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: document.documentElement.clientWidth,
    side: document.querySelector('.side').getBoundingClientRect(),
    main: document.querySelector('.main').getBoundingClientRect(),
  }));
  assert.ok(layout.scroll <= layout.width + 1, JSON.stringify(layout));
  assert.ok(layout.main.top >= layout.side.bottom - 1, 'the diagram goes below the list');
  await page.screenshot({ path: join(OUT, 'narrow.png'), fullPage: true });
  await page.setViewportSize({ width: 1400, height: 1000 });
});

test('the diagram downloads as SVG', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-svg')]);
  assert.equal(download.suggestedFilename(), `call-${firstCall}.svg`);
  const path = join(OUT, 'diagram.svg');
  await download.saveAs(path);
  const svg = readFileSync(path, 'utf8');
  assert.match(svg, /^<\?xml/);
  assert.match(svg, /<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<style>/);
  assert.match(svg, /CallConnected/);
  assert.match(svg, /quickstart_alice/);
});

test('controls: a target\'s behaviour and an incoming call', async () => {
  await page.fill('#target-id', '8:acs:ui_test_target');
  await page.selectOption('#target-behavior', 'busy');
  await page.click('#target-form button[type="submit"]');
  await page.waitForFunction(() => /now behaves: busy/.test(document.getElementById('control-result').textContent), null, { timeout: TIMEOUT });
  const targets = await (await fetch(`${endpoint}emulator/targets`)).json();
  assert.equal(JSON.stringify(targets).includes('8:acs:ui_test_target'), true);

  await page.click('#incoming-form button[type="submit"]');
  await page.waitForFunction(() => /IncomingCall offered/.test(document.getElementById('control-result').textContent), null, { timeout: TIMEOUT });
  await page.click('#calls button.call[data-call="_unassigned"]');
  await waitForArrow('IncomingCall');
  const labels = await page.$$eval('#diagram .arrow[data-name="IncomingCall"] text', (ts) => ts.map((t) => t.textContent));
  assert.ok(labels.some((l) => /4:\+16045550199|Event Grid/.test(l)), labels.join('\n'));
  // The emulator runs on the real clock here: advancing it by hand is disabled, and says why.
  assert.equal(await page.isDisabled('#clock-advance'), true);
  assert.match(await page.textContent('#clock-state'), /real clock/);
});

test('no script error on the page', () => {
  assert.deepEqual(pageErrors, []);
});
