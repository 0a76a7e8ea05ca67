// The portal in a real browser (Debian's chromium driven by playwright-core) against `make run`'s
// stack started on free ports: a customer and an operator work one ticket to its end, another
// account cannot reach it, and HTML in user text stays text. Screenshots of the main screens go to
// test-artifacts/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)>';
// axe-core from e2e/node_modules (pinned in package-lock.json), evaluated in the page.
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let server;
let stackOutput = ''; // the stack's log, kept in test-artifacts/stack.log (which function each request invoked)
let base;
let browser;
const dialogs = [];

function startStack() {
  return new Promise((resolve, reject) => {
    server = spawn(join(ROOT, '.venv/bin/python'), ['-m', 'devstack', '--port', '0', '--smtp-port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the stack did not start:\n${output}`)), 180_000);
    const look = (chunk) => {
      output += chunk;
      stackOutput += chunk;
      const found = output.match(/running at (http:\/\/127\.0\.0\.1:\d+)/);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    server.stdout.on('data', look);
    server.stderr.on('data', look);
    server.on('exit', (code) => reject(new Error(`the stack exited (${code}):\n${output}`)));
  });
}

async function signedIn(who, viewport = { width: 1200, height: 900 }) {
  const page = await browser.newPage({ viewport });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss();
  });
  await page.goto(`${base}/`);
  if (who instanceof RegExp) {
    await page.getByRole('button', { name: who }).click();
  } else {
    await page.getByLabel('Cuenta de cliente').fill(who.account);
    await page.getByLabel('Correo electrónico').fill(who.email);
    await page.getByRole('button', { name: 'Entrar' }).click();
  }
  await page.getByRole('button', { name: 'Cerrar sesión' }).waitFor();
  return page;
}

async function token(identity) {
  const response = await fetch(`${base}/_local/token`, { method: 'POST', body: JSON.stringify(identity) });
  return (await response.json()).token;
}

async function api(method, path, bearer, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, data: await response.json().catch(() => null) };
}

/** A page that has signed in to nothing yet (a fresh tab). */
async function freshPage(viewport = { width: 1200, height: 900 }) {
  const page = await browser.newPage({ viewport });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss();
  });
  return page;
}

/** What the polite live region says now. */
const liveText = (page) => page.locator('#live').textContent();

/** No serious or critical axe-core violation on the page as it is now (WCAG 2.1 A/AA and best practice). */
async function accessible(page, screen) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  const grave = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(grave, [], `${screen}: ${JSON.stringify(grave, null, 2)}`);
  // Nothing on a screen reads "null" or "undefined" (a value that was never there, shown as text).
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, /\b(null|undefined|NaN)\b/, `${screen} shows a missing value as text`);
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  base = await startStack();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  writeFileSync(join(ROOT, 'test-artifacts', 'stack.log'), stackOutput);
});

let ticketId;
let ticketUrl;

test('a customer opens a ticket and sees its tracking ID', async () => {
  const customer = await signedIn(/Cliente de demostración/);
  await customer.getByRole('link', { name: 'Nuevo ticket' }).first().click();
  await customer.getByLabel('Departamento').selectOption('soporte');
  await customer.getByLabel('Asunto').fill(`El webmail no carga ${PAYLOAD}`);
  await customer.getByLabel('Describa su consulta').fill(`Desde ayer no puedo entrar. ${PAYLOAD}`);
  await shot(customer, 'new-ticket');
  await customer.getByRole('button', { name: 'Abrir ticket' }).click();
  await customer.waitForURL(/#\/tickets\/NZ-\d{8}$/);
  ticketUrl = customer.url();
  ticketId = ticketUrl.split('/').pop();
  await customer.getByText(ticketId, { exact: true }).first().waitFor();
  await customer.getByText('Abierto', { exact: true }).first().waitFor();
  await customer.close();
});

test('user text with HTML shows as text and runs nothing', async () => {
  const customer = await signedIn(/Cliente de demostración/);
  await customer.goto(ticketUrl);
  await customer.getByRole('heading', { level: 1, name: `El webmail no carga ${PAYLOAD}` }).waitFor();
  await customer.getByText(`Desde ayer no puedo entrar. ${PAYLOAD}`).waitFor();
  assert.equal(await customer.locator('main script, main img').count(), 0);
  assert.deepEqual(dialogs, []);
  await customer.goto(`${base}/#/tickets`);
  await customer.getByText(ticketId).first().waitFor();
  await shot(customer, 'customer-list');
  await customer.close();
});

test('an operator takes and answers it', async () => {
  const operator = await signedIn(/Operador de demostración/);
  await operator.getByRole('heading', { level: 1, name: 'Cola de tickets' }).waitFor();
  await operator.getByText(ticketId).first().waitFor();
  await shot(operator, 'operator-queue');
  await operator.goto(`${base}/#/tickets/${ticketId}`);
  await operator.getByRole('button', { name: 'Tomar ticket' }).click();
  await operator.getByText('Ahora el ticket es suyo.').waitFor();
  await operator.getByRole('textbox', { name: 'Mensaje' }).fill('¿Qué navegador usa?');
  await operator.getByRole('button', { name: 'Enviar respuesta' }).click();
  await operator.getByText('Respuesta enviada.').waitFor();
  await operator.close();
});

test('the customer sees Espera and the answer, replies, and it is Abierto again', async () => {
  const customer = await signedIn(/Cliente de demostración/);
  await customer.goto(ticketUrl);
  await customer.getByText('Espera', { exact: true }).first().waitFor();
  await customer.getByText('¿Qué navegador usa?').waitFor();
  await customer.getByText(/se cerrará automáticamente/).waitFor();
  await shot(customer, 'ticket-thread');
  await customer.getByRole('textbox', { name: 'Mensaje' }).fill('Firefox 140');
  await customer.getByRole('button', { name: 'Enviar respuesta' }).click();
  await customer.getByText('Respuesta enviada.').waitFor();
  await customer.getByText('Abierto', { exact: true }).first().waitFor();
  await customer.close();
});

test('the operator closes it and the customer reopens it', async () => {
  const operator = await signedIn(/Operador de demostración/);
  await operator.goto(`${base}/#/tickets/${ticketId}`);
  // Closing asks first, in a modal dialog (not window.confirm): focus on the safe choice; Escape
  // and "Cancelar" leave the ticket as it was.
  const before = dialogs.length;
  const closeButton = operator.getByRole('button', { name: 'Cerrar ticket' });
  await closeButton.click();
  const dialog = operator.getByRole('dialog', { name: '¿Cerrar el ticket?' });
  await dialog.getByText(`El ticket ${ticketId} pasará a Cerrado`).waitFor();
  assert.equal(await operator.evaluate(() => document.activeElement.textContent), 'Cancelar');
  await shot(operator, 'close-confirmation');
  await operator.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await operator.evaluate(() => document.activeElement.textContent), 'Cerrar ticket', 'focus goes back');
  await closeButton.click();
  await dialog.getByRole('button', { name: 'Cancelar' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await operator.getByText('Ticket cerrado.').count(), 0);
  assert.equal(await operator.getByText('Cerrado', { exact: true }).count(), 0, 'cancelled: not closed');
  await closeButton.click();
  await dialog.getByRole('button', { name: 'Sí, cerrar el ticket' }).click();
  await operator.getByText('Ticket cerrado.').waitFor();
  await operator.getByText('Cerrado', { exact: true }).first().waitFor();
  assert.equal(dialogs.length, before, 'no window.confirm');
  // The thread says who closed it, after the last message.
  const closedEntry = operator.locator('ol.thread .history-entry').last();
  await closedEntry.getByText(/cerró el ticket\.$/).waitFor();
  assert.equal(await operator.locator('ol.thread > li').last().getAttribute('class'), 'history-entry entry-closed');
  await operator.close();
  const customer = await signedIn(/Cliente de demostración/, { width: 375, height: 800 });
  await customer.goto(ticketUrl);
  await customer.getByText('Cerrado', { exact: true }).first().waitFor();
  await customer.locator('.history-entry').getByText(/cerró el ticket\.$/).waitFor();
  await customer.getByRole('button', { name: 'Reabrir ticket' }).click();
  await customer.getByText('Ticket reabierto.').waitFor();
  await customer.getByText('Abierto', { exact: true }).first().waitFor();
  await customer.locator('.history-entry').getByText(/reabrió el ticket\.$/).waitFor();
  // In English the same entries read in English (rendered from their codes, not stored as text).
  await customer.getByLabel('Idioma').selectOption('en');
  await customer.locator('.history-entry').getByText(/reopened the ticket\.$/).waitFor();
  await customer.getByLabel('Language').selectOption('es');
  await customer.locator('.history-entry').getByText(/reabrió el ticket\.$/).waitFor();
  await shot(customer, 'ticket-thread-phone');
  const overflow = await customer.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, 'no horizontal scrolling on a phone');
  await customer.close();
});

test('a customer of another account cannot reach the ticket by URL', async () => {
  const stranger = await signedIn({ account: 'acct-otra', email: 'otra@cliente.example' });
  await stranger.goto(`${base}/#/tickets/${ticketId}`);
  await stranger.getByText('No existe ese ticket en su cuenta. Compruebe el ID.').waitFor();
  assert.equal(await stranger.getByText('Desde ayer no puedo entrar.').count(), 0);
  await stranger.close();
});

test('an operator who answers a ticket that changed meanwhile is told so and keeps the text', async () => {
  const operator = await signedIn(/Operador de demostración/);
  await operator.goto(`${base}/#/tickets/${ticketId}`);
  await operator.getByRole('textbox', { name: 'Mensaje' }).fill('Respuesta que no debe perderse');
  // Meanwhile another operator answers through the API.
  const token = await fetch(`${base}/_local/token`, {
    method: 'POST',
    body: JSON.stringify({ role: 'operator', email: 'marta@netz0.example' }),
  }).then((r) => r.json());
  const other = await fetch(`${base}/tickets/${ticketId}/replies`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ body: 'Marta contestó antes' }),
  });
  assert.equal(other.status, 201);
  await operator.getByRole('button', { name: 'Enviar respuesta' }).click();
  await operator.getByText(/Otro operador respondió mientras usted escribía/).first().waitFor();
  assert.equal(await operator.getByRole('textbox', { name: 'Mensaje' }).inputValue(), 'Respuesta que no debe perderse');
  await operator.getByRole('button', { name: 'Recargar la conversación' }).click();
  await operator.getByText('Marta contestó antes').waitFor();
  await operator.close();
});

test('the portal speaks English when asked', async () => {
  const customer = await signedIn(/Cliente de demostración/);
  await customer.getByLabel('Idioma').selectOption('en');
  await customer.getByRole('heading', { level: 1, name: 'My tickets' }).waitFor();
  await customer.goto(ticketUrl);
  await customer.getByRole('button', { name: 'Copy ID' }).waitFor();
  await customer.getByLabel('Language').selectOption('es');
  await customer.close();
});

test('every hash renders a page; a malformed escape is "not found", never a blank page', async () => {
  const customer = await signedIn(/Cliente de demostración/);
  const errors = [];
  customer.on('pageerror', (error) => errors.push(String(error)));
  await customer.goto(`${base}/#/tickets/%E0%A4%A`);
  await customer.getByRole('heading', { level: 1, name: 'Página no encontrada' }).waitFor();
  await customer.getByRole('link', { name: 'Ir al inicio' }).waitFor();
  await shot(customer, 'not-found');
  for (const hash of ['#/tickets/%', '#/tickets/%ZZ%', '#/nope', '#/tickets/a/b', '#/tickets?status=%E0%A4%A', '#/queue', '#/', '#/signin?next=%E0%A4%A']) {
    await customer.goto(`${base}/${hash}`);
    await customer.locator('main h1').first().waitFor();
    assert.notEqual((await customer.locator('main h1').first().textContent()).trim(), '', hash);
  }
  // The skip link moves focus to the content and is not taken for an address.
  await customer.goto(`${base}/#/tickets`);
  await customer.getByRole('heading', { level: 1, name: 'Mis tickets' }).waitFor();
  // The screen is done once render() has moved focus to its heading; pressing before that would race it.
  await customer.waitForFunction(() => document.activeElement?.tagName === 'H1');
  await customer.locator('#skip').focus();
  await customer.keyboard.press('Enter');
  assert.equal(await customer.evaluate(() => document.activeElement.id), 'main');
  assert.match(customer.url(), /#\/tickets$/);
  assert.deepEqual(errors, []);
  await customer.close();
  // signed out, the same address leads to sign-in
  const nobody = await freshPage();
  await nobody.goto(`${base}/#/tickets/%E0%A4%A`);
  await nobody.getByRole('heading', { level: 1, name: 'Iniciar sesión' }).waitFor();
  await nobody.close();
});

test('"Mis asignados" shows the operator\'s tickets and no stray "null"', async () => {
  const operator = await signedIn(/Operador de demostración/);
  await operator.getByRole('link', { name: 'Mis asignados' }).click();
  await operator.getByRole('heading', { level: 1, name: 'Mis tickets asignados' }).waitFor();
  await operator.getByText(ticketId).first().waitFor();
  assert.doesNotMatch(await operator.locator('main').innerText(), /\bnull\b/);
  await operator.close();
});

test('operators see the SLA clock in the queue and on the ticket; customers never do', async () => {
  const bearer = await token({ role: 'customer', account_id: 'acct-sla', email: 'sla@cliente.example' });
  const created = await api('POST', '/tickets', bearer, { department: 'soporte', subject: 'Reloj SLA', body: 'Texto' });
  assert.equal(created.status, 201);
  const id = created.data.id;
  // Running whatever the wall clock says: time left before the due time, or how late it is.
  const clock = /Primera respuesta: (quedan \d+ min hábiles \(vence .+\)|incumplida, \d+ min hábiles de retraso)/;
  const operator = await signedIn(/Operador de demostración/);
  await operator.locator('li.ticket-row', { hasText: id }).getByText(clock).waitFor();
  await operator.goto(`${base}/#/tickets/${id}`);
  await operator.getByRole('heading', { level: 1, name: 'Reloj SLA' }).waitFor();
  await operator.getByText(clock).waitFor();
  await operator.close();
  const customer = await signedIn({ account: 'acct-sla', email: 'sla@cliente.example' });
  await customer.goto(`${base}/#/tickets/${id}`);
  await customer.getByRole('heading', { level: 1, name: 'Reloj SLA' }).waitFor();
  assert.doesNotMatch(await customer.locator('main').innerText(), /Primera respuesta|SLA en pausa|min hábiles/);
  await customer.close();
});

test('a success message belongs to the action that caused it, not to later screens', async () => {
  const customer = await signedIn(/Cliente de demostración/);
  await customer.getByText('Ha iniciado sesión.').waitFor();
  await customer.getByRole('link', { name: 'Mi cuenta' }).click();
  await customer.getByRole('heading', { level: 1, name: 'Mi cuenta' }).waitFor();
  assert.equal(await liveText(customer), '');
  await customer.close();

  // "Se cargaron más tickets." is said after loading more, and gone on the next screen.
  const bearer = await token({ role: 'customer', account_id: 'acct-paginas', email: 'paginas@cliente.example' });
  for (let i = 0; i < 21; i += 1) {
    const created = await api('POST', '/tickets', bearer, { department: 'soporte', subject: `Consulta ${i}`, body: 'Texto' });
    assert.equal(created.status, 201);
  }
  const many = await signedIn({ account: 'acct-paginas', email: 'paginas@cliente.example' });
  await many.getByRole('button', { name: 'Cargar más' }).click();
  await many.getByText('Se cargaron más tickets.').waitFor();
  await many.getByRole('link', { name: 'Consulta 0', exact: true }).click();
  await many.getByRole('heading', { level: 1, name: 'Consulta 0', exact: true }).waitFor();
  await many.waitForTimeout(100); // past the live region's 30 ms re-announce delay
  assert.equal(await liveText(many), '');
  await many.close();
});

test('a deep link opened while signed out survives sign-in', async () => {
  const customer = await freshPage();
  await customer.goto(`${base}/#/new`);
  await customer.getByRole('heading', { level: 1, name: 'Iniciar sesión' }).waitFor();
  await customer.getByRole('button', { name: /Cliente de demostración/ }).click();
  await customer.getByRole('heading', { level: 1, name: 'Nuevo ticket' }).waitFor();
  assert.match(customer.url(), /#\/new$/);
  await customer.close();

  const operator = await freshPage();
  await operator.goto(`${base}/#/tickets/${ticketId.toLowerCase()}`);
  await operator.getByRole('heading', { level: 1, name: 'Iniciar sesión' }).waitFor();
  await operator.getByRole('button', { name: /Operador de demostración/ }).click();
  await operator.getByRole('heading', { level: 1, name: `El webmail no carga ${PAYLOAD}` }).waitFor();
  assert.match(operator.url(), new RegExp(`#/tickets/${ticketId}$`));
  await operator.close();

  // A customer's screen is no use to an operator: home instead.
  const other = await freshPage();
  await other.goto(`${base}/#/account`);
  await other.getByRole('button', { name: /Operador de demostración/ }).click();
  await other.getByRole('heading', { level: 1, name: 'Cola de tickets' }).waitFor();
  await other.close();
});

test('addresses in messages are safe links; anything else stays text', async () => {
  const customer = await signedIn(/Cliente de demostración/);
  await customer.goto(ticketUrl);
  const text = 'Guía: https://netz0.example/ayuda/webmail?paso=2. Escriba a mailto:ana@cliente.es, '
    + 'no a javascript:alert(1) ni <a href="javascript:alert(2)">aquí</a> ni data:text/html,<b>x</b>';
  await customer.getByRole('textbox', { name: 'Mensaje' }).fill(text);
  await customer.getByRole('button', { name: 'Enviar respuesta' }).click();
  await customer.getByText('Respuesta enviada.').waitFor();
  const body = customer.locator('.message-body').last();
  assert.equal(await body.textContent(), text, 'the text is kept exactly');
  const guide = body.getByRole('link', { name: 'https://netz0.example/ayuda/webmail?paso=2' });
  assert.equal(await guide.getAttribute('href'), 'https://netz0.example/ayuda/webmail?paso=2');
  assert.equal(await guide.getAttribute('rel'), 'noopener noreferrer');
  const mail = body.getByRole('link', { name: 'mailto:ana@cliente.es' });
  assert.equal(await mail.getAttribute('href'), 'mailto:ana@cliente.es');
  assert.equal(await mail.getAttribute('rel'), 'noopener noreferrer');
  assert.equal(await body.locator('a').count(), 2, 'only the http(s) and mailto addresses are links');
  assert.equal(await body.locator('b, a[href^="javascript"], a[href^="data"]').count(), 0);
  await shot(customer, 'message-links');
  await customer.close();
});

test('loading the portal asks for nothing that is not there (favicon included)', async () => {
  const page = await freshPage();
  const failed = [];
  page.on('response', (response) => { if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`); });
  page.on('requestfailed', (request) => failed.push(`failed ${request.url()}`));
  await page.goto(`${base}/`);
  await page.getByRole('heading', { level: 1, name: 'Iniciar sesión' }).waitFor();
  await page.getByRole('button', { name: /Cliente de demostración/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Mis tickets' }).waitFor();
  await page.waitForLoadState('networkidle');
  const icon = await page.evaluate(async () => {
    const response = await fetch(document.querySelector('link[rel="icon"]').href);
    return { status: response.status, type: response.headers.get('content-type') };
  });
  assert.deepEqual(icon, { status: 200, type: 'image/svg+xml; charset=utf-8' });
  assert.deepEqual(failed, []);
  await page.close();
});

test('every API call says the portal\'s language, and the errors shown are in that language', async () => {
  const customer = await freshPage();
  const calls = [];
  customer.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (/^\/(tickets|departments|account|_local)/.test(pathname)) calls.push([pathname, request.headers()['accept-language']]);
  });
  await customer.goto(`${base}/#/account`);
  await customer.getByRole('button', { name: /Cliente de demostración/ }).click();
  await customer.getByRole('heading', { level: 1, name: 'Mi cuenta' }).waitFor();
  await customer.getByLabel('Nueva dirección').fill('ana@');
  await customer.getByRole('button', { name: 'Autorizar' }).click();
  const fieldError = customer.locator('.field-error:not([hidden])');
  await fieldError.waitFor();
  const spanish = await fieldError.textContent();
  assert.doesNotMatch(spanish, /\b(not|valid|address|should|string)\b/i, `Spanish screen, English words: ${spanish}`);
  assert.ok(calls.length >= 3 && calls.every(([, lang]) => lang === 'es'), JSON.stringify(calls));

  calls.length = 0;
  await customer.getByLabel('Idioma', { exact: true }).selectOption('en');
  await customer.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
  await customer.getByLabel('New address').fill('ana@');
  await customer.getByRole('button', { name: 'Authorize' }).click();
  await fieldError.waitFor();
  const english = await fieldError.textContent();
  assert.doesNotMatch(english, /\b(escriba|dirección|válida|correo)\b/i, `English screen, Spanish words: ${english}`);
  assert.ok(calls.length >= 3 && calls.every(([, lang]) => lang === 'en'), JSON.stringify(calls));

  // An API that answers in the reader's language (Content-Language) is shown in its own words,
  // the limit it names included; one that answers in another language is not.
  const reply = (language) => (route) => route.fulfill({
    status: 422,
    contentType: 'application/json',
    headers: language ? { 'Content-Language': language } : {},
    body: JSON.stringify({ error: { code: 'invalid_request', message: 'Invalid request.', details: [{ field: 'email', message: 'An address has at most 254 characters.' }] } }),
  });
  await customer.route('**/account/emails', reply('en'));
  await customer.getByRole('button', { name: 'Authorize' }).click();
  await customer.getByText('An address has at most 254 characters.').waitFor();
  await customer.unroute('**/account/emails');
  await customer.route('**/account/emails', reply('es'));
  await customer.getByRole('button', { name: 'Authorize' }).click();
  await customer.getByText('Type a valid e-mail address', { exact: false }).waitFor();
  assert.equal(await customer.getByText('An address has at most 254 characters.').count(), 0);
  await customer.unroute('**/account/emails');
  await customer.getByLabel('Language', { exact: true }).selectOption('es');
  await customer.close();
});

test('operators read the period\'s figures with charts and a CSV; customers never reach them', async () => {
  const luis = await token({ role: 'operator', email: 'informes@netz0.example' });
  const expected = await api('GET', '/reports', luis);
  assert.equal(expected.status, 200);
  assert.ok(expected.data.total.opened.total >= 1, 'the earlier tests opened tickets today');
  const operator = await signedIn(/Operador de demostración/);
  await operator.getByRole('link', { name: 'Informes' }).click();
  await operator.getByRole('heading', { level: 1, name: 'Informes' }).waitFor();
  const totals = operator.getByRole('table', { name: /^Totales del/ });
  await totals.waitFor();
  const opened = totals.getByRole('row', { name: /^Abiertos/ }).getByRole('cell').first();
  assert.equal(await opened.textContent(), String(expected.data.total.opened.total));
  assert.equal(await operator.locator('figure.chart svg[role="img"]').count(), 2);
  assert.match(await operator.locator('figure.chart svg').first().getAttribute('aria-label'), /^Tickets abiertos y cerrados por día\. Abiertos: /);
  await operator.getByRole('table', { name: 'Cifras por día' }).waitFor();
  const [download] = await Promise.all([
    operator.waitForEvent('download'),
    operator.getByRole('link', { name: 'Descargar CSV' }).click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8').split('\r\n');
  assert.match(csv[0], /^date,opened,opened_web,opened_email,opened_phone,opened_chat,closed,/);
  assert.equal(csv.length, expected.data.days.length + 3); // header, the days, the total, the final line end
  assert.equal(csv[csv.length - 2].split(',')[1], String(expected.data.total.opened.total));
  await accessible(operator, 'reports');
  await shot(operator, 'operator-reports');

  // A reversed period: the API's words next to the field, in the portal's language.
  // One operator's figures: chosen by name, asked for by id.
  await operator.getByLabel('Operador', { exact: true }).selectOption({ label: 'Lucía Romero' });
  await operator.getByRole('button', { name: 'Ver informe' }).click();
  await operator.waitForURL(/#\/reports\?(.*&)?operator=[0-9a-f-]{36}(&|$)/);
  await operator.getByRole('table', { name: /^Totales del/ }).waitFor();
  assert.equal(await operator.getByLabel('Operador', { exact: true }).locator('option:checked').textContent(), 'Lucía Romero');
  await operator.getByLabel('Desde').fill('2026-11-20');
  await operator.getByLabel('Hasta').fill('2026-11-10');
  await operator.getByRole('button', { name: 'Ver informe' }).click();
  await operator.getByText('Algún dato no es válido; revise los campos marcados.').waitFor();
  await operator.getByText('debe ser anterior o igual a «to»').waitFor();
  await operator.getByLabel('Idioma').selectOption('en');
  await operator.getByText("must be on or before 'to'").waitFor();
  await operator.getByLabel('Language').selectOption('es');
  await operator.close();

  const customer = await signedIn(/Cliente de demostración/);
  await customer.goto(`${base}/#/reports`);
  await customer.getByRole('heading', { level: 1, name: 'Mis tickets' }).waitFor();
  assert.equal(await customer.getByRole('link', { name: 'Informes' }).count(), 0);
  await customer.close();
});

test('the main screens pass axe-core with no serious or critical violation', async () => {
  const signin = await freshPage();
  await signin.goto(`${base}/`);
  await signin.getByRole('heading', { level: 1, name: 'Iniciar sesión' }).waitFor();
  // The check can fail: a button without a name is a critical violation.
  await signin.evaluate(() => document.body.append(Object.assign(document.createElement('button'), { id: 'nameless' })));
  await assert.rejects(accessible(signin, 'a nameless button'), /button-name/);
  await signin.evaluate(() => document.getElementById('nameless').remove());
  await accessible(signin, 'sign-in');
  await signin.close();

  const customer = await signedIn(/Cliente de demostración/);
  await customer.getByText(ticketId).first().waitFor();
  await accessible(customer, 'customer list');
  await customer.goto(`${base}/#/new`);
  await customer.getByLabel('Asunto').waitFor();
  await accessible(customer, 'new ticket');
  await customer.getByRole('button', { name: 'Abrir ticket' }).click();
  await customer.getByText('Revise los campos marcados.').waitFor();
  await accessible(customer, 'new ticket with errors');
  await customer.goto(ticketUrl);
  await customer.getByRole('button', { name: 'Cerrar ticket' }).waitFor();
  await accessible(customer, 'ticket thread');
  await customer.getByRole('button', { name: 'Cerrar ticket' }).click();
  await customer.getByRole('dialog').waitFor();
  await accessible(customer, 'close confirmation');
  await customer.keyboard.press('Escape');
  await customer.goto(`${base}/#/account`);
  await customer.getByText('cliente@demo.netz0.example').first().waitFor();
  await accessible(customer, 'account');
  await customer.goto(`${base}/#/nope`);
  await customer.getByRole('heading', { level: 1, name: 'Página no encontrada' }).waitFor();
  await accessible(customer, 'not found');
  await customer.close();

  const operator = await signedIn(/Operador de demostración/);
  await operator.getByText(ticketId).first().waitFor();
  await accessible(operator, 'operator queue');
  await operator.getByRole('link', { name: 'Mis asignados' }).click();
  await operator.getByRole('heading', { level: 1, name: 'Mis tickets asignados' }).waitFor();
  await operator.getByText(ticketId).first().waitFor();
  await accessible(operator, 'operator: mine');
  await operator.goto(`${base}/#/tickets/${ticketId}`);
  await operator.getByRole('textbox', { name: 'Mensaje' }).waitFor();
  await accessible(operator, 'operator ticket');
  await operator.close();
});

test('a colleague\'s address is pending until its owner confirms it from the mail', async () => {
  const colleague = 'colega@demo.netz0.example';
  const customer = await signedIn(/Cliente de demostración/);
  await customer.goto(`${base}/#/account`);
  await customer.getByRole('heading', { level: 1, name: 'Mi cuenta' }).waitFor();
  await customer.getByLabel('Nueva dirección').fill(colleague);
  await customer.getByRole('button', { name: 'Autorizar' }).click();
  const row = customer.locator('ul.emails li', { hasText: colleague });
  await row.getByText('Pendiente de confirmar').waitFor();
  await customer.waitForFunction(() => /pendiente/.test(document.getElementById('live').textContent));
  await accessible(customer, 'account with a pending address');
  await shot(customer, 'account-pending');

  // The mail as the colleague's mailbox received it (the local stack's outbox).
  const outbox = await (await fetch(`${base}/_local/outbox?to=${encodeURIComponent(colleague)}`)).json();
  const items = outbox.items || outbox;
  assert.equal(items.length, 1, JSON.stringify(items).slice(0, 300));
  // Read as a mail client would: quoted-printable soft line breaks and escapes decoded.
  const raw = items[0].raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  const link = raw.match(/(http:\/\/\S+#\/confirm\?token=[A-Za-z0-9_.%-]+)/)[1];
  assert.ok(link.startsWith(`${base}/`), link);
  const code = raw.match(/\b([A-Z2-7]{4}-[A-Z2-7]{4})\b/)[1];
  assert.ok(code);

  // The colleague has no login on this account: a fresh tab, signed in to nothing.
  const owner = await freshPage();
  await owner.goto(link);
  await owner.getByRole('heading', { level: 1, name: 'Confirmar dirección de correo' }).waitFor();
  await accessible(owner, 'confirm page');
  await owner.getByRole('button', { name: 'Confirmar dirección' }).click();
  await owner.getByText(`${colleague} está confirmada`).first().waitFor();
  await shot(owner, 'address-confirmed');
  // The link works once: the code of the same mail is spent too.
  await owner.goto(`${base}/#/confirm`);
  await owner.getByLabel('Su dirección de correo').fill(colleague);
  await owner.getByLabel('Código').fill(code);
  await owner.getByRole('button', { name: 'Confirmar con el código' }).click();
  await owner.getByText('no es válido', { exact: false }).waitFor();
  await owner.close();

  await customer.reload();
  await row.getByText('Confirmada').waitFor();
  assert.equal(await row.getByText('Pendiente de confirmar').count(), 0);
  await row.getByRole('button', { name: `Quitar ${colleague}` }).click();
  await customer.getByRole('dialog').getByRole('button', { name: 'Quitar' }).click();
  await customer.getByText(`${colleague} ya no está autorizada.`).waitFor();
  await customer.close();
});

test('operators keep canned replies and insert one with its placeholders filled, editable before sending', async () => {
  const operator = await signedIn(/Operador de demostración/);
  await operator.getByRole('link', { name: 'Respuestas predefinidas' }).click();
  await operator.getByRole('heading', { level: 1, name: 'Respuestas predefinidas' }).waitFor();
  await operator.getByText('Todavía no hay respuestas predefinidas.').waitFor();
  await operator.getByLabel('Título').fill('Resuelto');
  const text = operator.getByRole('textbox', { name: 'Texto' });
  // An unknown placeholder is refused when saving, saying which.
  await text.fill('Hola {{customer_name}}: el ticket {{ticket_id}} ya funciona. {{nombre}}');
  await operator.getByRole('button', { name: 'Guardar' }).click();
  await operator.getByText(/marcadores que no existen \(\{\{nombre\}\}\)/).first().waitFor();
  await text.fill('Hola {{customer_name}}: el ticket {{ticket_id}} ya funciona.\nUn saludo, {{operator_name}}');
  await operator.getByRole('button', { name: 'Guardar' }).click();
  await operator.locator('#live').getByText('Respuesta «Resuelto» guardada.').waitFor();
  await operator.getByRole('button', { name: 'Editar «Resuelto»' }).click();
  await operator.getByLabel('Título').fill('Resuelto (webmail)');
  await operator.getByRole('button', { name: 'Guardar' }).click();
  await operator.locator('.canned-list').getByRole('heading', { name: 'Resuelto (webmail)' }).waitFor();
  // One more, deleted after confirming.
  await operator.getByLabel('Título').fill('Provisional');
  await text.fill('Lo miramos.');
  await operator.getByRole('button', { name: 'Guardar' }).click();
  await operator.getByRole('button', { name: 'Eliminar «Provisional»' }).click();
  const dialog = operator.getByRole('dialog', { name: '¿Eliminar la respuesta predefinida?' });
  await dialog.getByRole('button', { name: 'Sí, eliminarla' }).click();
  await operator.locator('#live').getByText('Respuesta «Provisional» eliminada.').waitFor();
  assert.equal(await operator.locator('.canned-list li').count(), 1);
  await accessible(operator, 'canned replies');
  await shot(operator, 'canned-replies');

  await operator.goto(`${base}/#/tickets/${ticketId}`);
  const box = operator.getByRole('textbox', { name: 'Mensaje' });
  await box.waitFor();
  await operator.getByLabel('Respuesta predefinida').selectOption({ label: 'Resuelto (webmail)' });
  await operator.getByRole('button', { name: 'Insertar' }).click();
  // The operator by the directory's display name; the demo customer's token has no name: the address.
  const filled = `Hola cliente@demo.netz0.example: el ticket ${ticketId} ya funciona.\nUn saludo, Carmen Ruiz`;
  assert.equal(await box.inputValue(), filled);
  await box.press('End');
  await box.pressSequentially(' ¿Le funciona ya?');
  await accessible(operator, 'operator ticket with a canned reply');
  await shot(operator, 'canned-reply-inserted');
  await operator.getByRole('button', { name: 'Enviar respuesta' }).click();
  await operator.locator('#live').getByText('Respuesta enviada.').waitFor();
  await operator.locator('ol.thread .message-body').last().getByText('Un saludo, Carmen Ruiz ¿Le funciona ya?').waitFor();
  await operator.close();
});

test('an operator merges a duplicate into the ticket after confirming; the customer sees where it went', async () => {
  const customerToken = await token({ role: 'customer', account_id: 'acct-demo', email: 'cliente@demo.netz0.example' });
  const opened = await api('POST', '/tickets', customerToken, { department: 'soporte', subject: 'Webmail otra vez', body: 'Abro otro por si acaso' });
  assert.equal(opened.status, 201);
  const duplicate = opened.data.id;

  const operator = await signedIn(/Operador de demostración/);
  await operator.goto(`${base}/#/tickets/${duplicate}`);
  const into = operator.getByLabel('Unir este ticket a otro');
  // A ticket that does not exist: the API says so, nothing merged.
  await into.fill('NZ-99999999');
  await operator.getByRole('button', { name: 'Unir…' }).click();
  const dialog = operator.getByRole('dialog', { name: '¿Unir los tickets?' });
  await dialog.getByText(`El ticket ${duplicate} se cerrará`).waitFor();
  await dialog.getByRole('button', { name: 'Sí, unir los tickets' }).click();
  await operator.getByText('No existe el ticket NZ-99999999').first().waitFor();
  // Cancelled: nothing happens.
  await into.fill(ticketId);
  await operator.getByRole('button', { name: 'Unir…' }).click();
  await accessible(operator, 'merge confirmation');
  await shot(operator, 'merge-confirmation');
  await dialog.getByRole('button', { name: 'Cancelar' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await operator.getByText('Abierto', { exact: true }).count() > 0, true, 'cancelled: still open');
  await operator.getByRole('button', { name: 'Unir…' }).click();
  await dialog.getByRole('button', { name: 'Sí, unir los tickets' }).click();
  await operator.waitForURL(new RegExp(`#/tickets/${ticketId}$`));
  await operator.locator('#live').getByText(`El ticket ${duplicate} se ha unido a ${ticketId}.`).waitFor();
  const moved = operator.locator('ol.thread li.message.merged');
  await moved.getByText('Abro otro por si acaso').waitFor();
  await moved.getByRole('link', { name: duplicate }).waitFor();
  await operator.locator('ol.thread .history-entry').getByText(`unió aquí el ticket ${duplicate}`).waitFor();
  await accessible(operator, 'merged thread');
  await shot(operator, 'merged-thread');
  await operator.close();

  const customer = await signedIn(/Cliente de demostración/);
  await customer.goto(`${base}/#/tickets/${duplicate}`);
  await customer.getByText('Este ticket se unió a otro; la conversación sigue en').waitFor();
  await customer.locator('.notice.merged').getByRole('link', { name: ticketId }).waitFor();
  await customer.locator('.history-entry').getByText(`unió este ticket a ${ticketId}`).waitFor();
  assert.equal(await customer.getByRole('textbox', { name: 'Mensaje' }).isVisible(), false, 'no reply box on a merged ticket');
  await accessible(customer, 'merged ticket (customer)');
  await shot(customer, 'merged-source-customer');
  await customer.locator('.notice.merged').getByRole('link', { name: ticketId }).click();
  await customer.locator('ol.thread li.message.merged').getByText('Abro otro por si acaso').waitFor();
  await customer.close();
});

// A real PDF (one empty page), as an operator would attach a guide.
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n'
  + '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/** The headers storage answers a download link with (the link the API hands out). */
async function linkHeaders(path, bearer) {
  const asked = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${bearer}`, Accept: 'application/json' } });
  assert.equal(asked.headers.get('x-content-type-options'), 'nosniff');
  const data = await asked.json();
  const response = await fetch(data.url);
  return { url: data.url, status: response.status, disposition: response.headers.get('content-disposition'),
    type: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
}

test('a screenshot uploaded on a new ticket reaches the operator, who answers with a PDF the customer downloads', async () => {
  const customer = await signedIn(/Cliente de demostración/);
  await customer.getByRole('link', { name: 'Nuevo ticket' }).first().click();
  await customer.getByLabel('Departamento').selectOption('soporte');
  await customer.getByLabel('Asunto').fill('El panel da error 500');
  await customer.getByLabel('Describa su consulta').fill('Adjunto una captura del error.');
  const screenshot = await customer.screenshot(); // a real PNG
  const picker = customer.getByLabel('Adjuntar archivos (opcional)');
  // A page is refused at once, with the reason, in the portal's language.
  await picker.setInputFiles({ name: 'pagina.html', mimeType: 'text/html', buffer: Buffer.from('<script>alert(1)</script>') });
  const refused = customer.locator('li.upload', { hasText: 'pagina.html' });
  await refused.getByText('No se admiten archivos .html', { exact: false }).waitFor();
  await customer.getByRole('button', { name: 'Abrir ticket' }).click();
  await customer.getByText('Algún archivo no se pudo subir', { exact: false }).waitFor();
  await accessible(customer, 'new ticket with a refused file');
  await shot(customer, 'new-ticket-refused-file');
  await refused.getByRole('button', { name: 'Quitar pagina.html' }).click();
  await picker.setInputFiles({ name: 'captura del error.png', mimeType: 'image/png', buffer: screenshot });
  await customer.locator('li.upload', { hasText: 'captura del error.png' }).getByText('Subido.').waitFor();
  await accessible(customer, 'new ticket with a file');
  await shot(customer, 'new-ticket-attachment');
  await customer.getByRole('button', { name: 'Abrir ticket' }).click();
  await customer.waitForURL(/#\/tickets\/NZ-\d{8}$/);
  const withFile = customer.url().split('/').pop();
  await customer.getByRole('img', { name: 'Vista previa de captura del error.png' }).waitFor();
  await customer.close();

  const operator = await signedIn(/Operador de demostración/);
  await operator.goto(`${base}/#/tickets/${withFile}`);
  const picture = operator.getByRole('img', { name: 'Vista previa de captura del error.png' });
  await picture.waitFor();
  await operator.waitForFunction(() => [...document.querySelectorAll('img.preview')].every((i) => i.complete && i.naturalWidth > 0));
  assert.equal(await picture.evaluate((i) => i.naturalWidth), screenshot.readUInt32BE(16)); // the PNG's own width
  await accessible(operator, 'operator ticket with a preview');
  await shot(operator, 'operator-preview');
  const [download] = await Promise.all([
    operator.waitForEvent('download'),
    operator.getByRole('button', { name: /Descargar captura del error\.png/ }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'captura del error.png');
  assert.deepEqual(readFileSync(await download.path()), screenshot);

  await operator.getByRole('button', { name: 'Tomar ticket' }).click();
  await operator.getByText('Ahora el ticket es suyo.').waitFor();
  await operator.getByRole('textbox', { name: 'Mensaje' }).fill('Siga los pasos de la guía adjunta.');
  await operator.getByLabel('Adjuntar archivos (opcional)').setInputFiles({ name: 'guía de solución.pdf', mimeType: 'application/pdf', buffer: PDF });
  await operator.locator('li.upload', { hasText: 'guía de solución.pdf' }).getByText('Subido.').waitFor();
  await operator.getByRole('button', { name: 'Enviar respuesta' }).click();
  await operator.getByText('Respuesta enviada.').waitFor();
  await operator.getByRole('button', { name: /Descargar guía de solución\.pdf/ }).waitFor();
  await operator.close();

  const again = await signedIn(/Cliente de demostración/);
  await again.goto(`${base}/#/tickets/${withFile}`);
  await again.getByText('Siga los pasos de la guía adjunta.').waitFor();
  // A PDF has no preview: the one picture is the screenshot.
  assert.equal(await again.locator('img.preview').count(), 1);
  await accessible(again, 'customer ticket with attachments');
  await shot(again, 'customer-attachments');
  const [pdf] = await Promise.all([
    again.waitForEvent('download'),
    again.getByRole('button', { name: /Descargar guía de solución\.pdf/ }).click(),
  ]);
  assert.equal(pdf.suggestedFilename(), 'guía de solución.pdf');
  assert.deepEqual(readFileSync(await pdf.path()), PDF);
  await again.close();

  // What storage answers the link with: a download under its name, the stored type.
  const customerToken = await token({ role: 'customer', account_id: 'acct-demo', email: 'cliente@demo.netz0.example' });
  const { data: thread } = await api('GET', `/tickets/${withFile}`, customerToken);
  const answer = thread.messages.find((m) => m.author_role === 'operator');
  const served = await linkHeaders(answer.attachments[0].download_path, customerToken);
  assert.equal(served.status, 200);
  assert.equal(served.type, 'application/pdf');
  assert.match(served.disposition, /^attachment; filename="guia de solucion\.pdf"; filename\*=UTF-8''gu%C3%ADa%20de%20soluci%C3%B3n\.pdf$/);
  // Another account neither sees the ticket nor gets a link.
  const other = await token({ role: 'customer', account_id: 'acct-otra', email: 'x@otra.example' });
  assert.equal((await api('GET', answer.attachments[0].download_path, other)).status, 404);
});

test('the customer rates a closed ticket from the mail link signed out, changes it, and the operator sees it', async () => {
  const customerToken = await token({ role: 'customer', account_id: 'acct-demo', email: 'cliente@demo.netz0.example' });
  const opened = await api('POST', '/tickets', customerToken, { department: 'soporte', subject: 'El DNS no resuelve', body: 'Desde esta mañana.' });
  assert.equal(opened.status, 201);
  const id = opened.data.id;
  assert.equal((await api('POST', `/tickets/${id}/close`, customerToken)).status, 200);

  // The close mail as the customer's mailbox received it (the local stack's outbox).
  const outbox = await (await fetch(`${base}/_local/outbox?to=${encodeURIComponent('cliente@demo.netz0.example')}`)).json();
  const items = (outbox.items || outbox).filter((m) => m.subject.includes(id));
  const decoded = items.map((m) => m.raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))));
  const close = decoded.find((raw) => raw.includes('#/rate?token='));
  assert.ok(close, 'the close mail carries the rating links');
  const good = close.match(/(http:\/\/\S+#\/rate\?token=[A-Za-z0-9_.%-]+&rating=good)/)[1];
  assert.ok(good.startsWith(`${base}/`), good);

  // One click in the mail, in a browser signed in to nothing.
  const visitor = await freshPage();
  await visitor.goto(good);
  await visitor.getByRole('heading', { level: 1, name: 'Valore nuestra atención' }).waitFor();
  await visitor.getByText('El DNS no resuelve').waitFor();
  await visitor.getByText(/Su valoración: Bien/).waitFor();
  assert.equal(await visitor.getByRole('button', { name: 'Bien' }).getAttribute('aria-pressed'), 'true');
  await accessible(visitor, 'rating page');
  await shot(visitor, 'rating-from-mail');
  // Changed later, with a comment.
  await visitor.getByLabel('Comentario (opcional)').fill(`Tardaron un poco. ${PAYLOAD}`);
  await visitor.getByRole('button', { name: 'Mal' }).click();
  await visitor.getByText(/Su valoración: Mal/).waitFor();
  assert.equal(await visitor.getByRole('button', { name: 'Mal' }).getAttribute('aria-pressed'), 'true');
  assert.deepEqual(dialogs, []);
  // A forged link is refused in words.
  await visitor.goto(good.replace(/rating=good$/, '').replace(/\.([a-z2-7]{16})&/, '.aaaaaaaaaaaaaaaa&'));
  await visitor.getByText('Este enlace de valoración no es válido', { exact: false }).waitFor();
  await visitor.close();

  const operator = await signedIn(/Operador de demostración/);
  await operator.goto(`${base}/#/tickets/${id}`);
  const rated = operator.getByRole('region', { name: 'Valoración del cliente' });
  await rated.getByText(/^Mal \(cierre del/).waitFor();
  await rated.getByText(`Tardaron un poco. ${PAYLOAD}`).waitFor();
  assert.equal(await operator.locator('main script, main img').count(), 0);
  await accessible(operator, 'ticket with a rating');
  await shot(operator, 'operator-sees-rating');
  await operator.close();
});

/** Waits until the API's search finds `id` for `bearer` (the word index follows the table's stream). */
async function indexed(bearer, q, id) {
  for (let attempt = 0; attempt < 60; attempt += 1) {
    const found = await api('GET', `/tickets?q=${encodeURIComponent(q)}`, bearer);
    if (found.data?.items?.some((t) => t.id === id)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`search ${q} never found ${id}`);
}

/**
 * Submits a search and waits for ITS results: the screen shown before (marked stale first) can
 * still be there when the URL has changed, since the portal renders on the hashchange that follows,
 * and an earlier search for the same ticket shows the same rows. Done once a new list holds rows
 * or the screen says nothing matched.
 */
async function searched(page, text) {
  await page.evaluate(() => document.querySelector('ul.ticket-list')?.setAttribute('data-stale', ''));
  const box = page.getByRole('searchbox', { name: /Buscar/ });
  await box.fill(text);
  await box.press('Enter');
  await page.waitForFunction(() => {
    const list = document.querySelector('ul.ticket-list');
    return list && !list.hasAttribute('data-stale') && (list.children.length > 0 || document.querySelector('.more p'));
  });
}

test('a customer finds a ticket by its ID and by the beginning of a word, another account finds nothing', async () => {
  const identity = { role: 'customer', account_id: 'acct-busca', email: 'busca@cliente.example' };
  const bearer = await token(identity);
  const opened = await api('POST', '/tickets', bearer,
    { department: 'soporte', subject: 'Olvidé la contraseña del correo', body: 'No puedo entrar al webmail.' });
  assert.equal(opened.status, 201);
  const other = await api('POST', '/tickets', bearer,
    { department: 'comercial', subject: 'Factura de octubre', body: 'Llegó duplicada.' });
  const operator = await token({ role: 'operator', email: 'operador@netz0.example' });
  const answer = `Le enviamos un enlace para cambiar la contraseña. ${PAYLOAD}`;
  assert.equal((await api('POST', `/tickets/${opened.data.id}/replies`, operator, { body: answer })).status, 201);
  assert.equal((await api('POST', `/tickets/${opened.data.id}/close`, bearer)).status, 200);
  await indexed(bearer, 'contra', opened.data.id);
  await indexed(bearer, 'factura', other.data.id);

  const customer = await signedIn({ account: 'acct-busca', email: 'busca@cliente.example' });
  for (const typed of [opened.data.id.toLowerCase(), opened.data.id.replace('NZ-', '')]) {
    await searched(customer, typed);
    assert.deepEqual(await customer.locator('.ticket-row .row-id').allTextContents(), [opened.data.id]);
  }
  await searched(customer, 'CONTRA');
  assert.match(customer.url(), /q=CONTRA/);
  assert.deepEqual(await customer.locator('.ticket-row .row-id').allTextContents(), [opened.data.id]);
  // How it was solved: the operator's answer, the word asked marked, its HTML shown as text.
  const resolution = customer.locator('.ticket-row .resolution');
  assert.deepEqual(await resolution.locator('mark').allTextContents(), ['contraseña']);
  assert.match(await resolution.textContent(), /<script>alert\(1\)<\/script>/);
  assert.equal(await resolution.locator('script, img').count(), 0);
  await accessible(customer, 'search results');
  await shot(customer, 'search-results');

  // Deflection: typing a new ticket's subject suggests the solved ticket with its answer.
  await customer.getByRole('link', { name: 'Nuevo ticket' }).first().click();
  await customer.getByLabel('Asunto').pressSequentially('No recuerdo mi contraseña', { delay: 20 });
  const suggestions = customer.getByRole('region', { name: /ya resueltos/ });
  await suggestions.getByRole('link', { name: 'Olvidé la contraseña del correo' }).waitFor();
  assert.deepEqual(await suggestions.locator('mark').allTextContents(), ['contraseña']);
  await customer.getByText('Tickets resueltos parecidos al asunto: 1.').waitFor(); // the polite live line
  await accessible(customer, 'new ticket with suggestions');
  await shot(customer, 'new-ticket-suggestions');
  // Reached by keyboard: Tab from the subject goes to the suggestion's link, which opens it.
  await customer.getByLabel('Asunto').focus();
  await customer.keyboard.press('Tab');
  await customer.keyboard.press('Enter');
  await customer.waitForURL(new RegExp(`#/tickets/${opened.data.id}$`));

  // Export: the account's tickets with every public message, one JSON file, no internal note.
  await api('POST', `/tickets/${other.data.id}/replies`, operator, { body: 'nota interna secreta', internal: true });
  await customer.goto(`${base}/#/account`);
  const [download] = await Promise.all([
    customer.waitForEvent('download'),
    customer.getByRole('button', { name: 'Descargar mis tickets (JSON)' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'netz0-tickets-acct-busca.json');
  const file = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(file.account_id, 'acct-busca');
  const bodies = Object.fromEntries(file.tickets.map((t) => [t.id, t.messages.map((m) => m.body)]));
  assert.deepEqual(bodies, { [opened.data.id]: ['No puedo entrar al webmail.', answer], [other.data.id]: ['Llegó duplicada.'] });
  assert.doesNotMatch(JSON.stringify(file), /nota interna secreta/);
  await customer.getByText('Descarga lista: 2 tickets.').first().waitFor();
  await accessible(customer, 'account with export');
  await customer.close();

  const stranger = await signedIn({ account: 'acct-ajena', email: 'ajena@cliente.example' });
  const theirSearch = stranger.getByRole('searchbox', { name: /Buscar/ });
  await theirSearch.fill(opened.data.id);
  await theirSearch.press('Enter');
  await stranger.getByText('Ningún ticket coincide', { exact: false }).waitFor();
  assert.equal(await stranger.locator('.ticket-row').count(), 0);
  await stranger.close();
});

test('an operator hands a ticket to a colleague by name; she is mailed; the customer sees her name', async () => {
  const bearer = await token({ role: 'customer', account_id: 'acct-demo', email: 'cliente@demo.netz0.example', name: 'Cliente Demo' });
  const created = await api('POST', '/tickets', bearer, { department: 'soporte', subject: 'Para Lucía', body: 'Texto' });
  assert.equal(created.status, 201);
  const id = created.data.id;
  await fetch(`${base}/_local/outbox/clear`, { method: 'POST' });
  const operator = await signedIn(/Operador de demostración/);
  await operator.goto(`${base}/#/tickets/${id}`);
  await operator.getByRole('heading', { level: 1, name: 'Para Lucía' }).waitFor();
  const picker = operator.getByLabel('Asignar a', { exact: true });
  assert.equal(await picker.inputValue(), '', 'unassigned: "nobody" is chosen');
  await picker.selectOption({ label: 'Lucía Romero' });
  await shot(operator, 'assign-picker');
  await operator.getByRole('button', { name: 'Asignar', exact: true }).click();
  await operator.getByText('Ticket asignado a Lucía Romero.').waitFor();
  await operator.locator('.summary').getByText('Lucía Romero', { exact: true }).waitFor();
  // The hand-over is in the thread, by name.
  await operator.locator('ol.thread li.history-entry').getByText('Carmen Ruiz asignó el ticket a Lucía Romero.').waitFor();
  await accessible(operator, 'ticket with the assignment picker');
  const mails = await fetch(`${base}/_local/outbox?to=lucia@netz0.example`).then((r) => r.json());
  const handed = mails.filter((m) => m.subject.includes(id) && m.subject.includes('Ticket asignado a usted'));
  assert.equal(handed.length, 1, JSON.stringify(mails.map((m) => m.subject)));
  assert.match(handed[0].raw.replace(/=\r?\n/g, ''), /Carmen Ruiz le ha asignado el ticket NZ-/); // quoted-printable
  assert.equal((await fetch(`${base}/_local/outbox?to=operador@netz0.example`).then((r) => r.json()))
    .filter((m) => m.subject.includes('Ticket asignado a usted')).length, 0, 'never to the operator who acted');
  // The queue row names her too.
  await operator.goto(`${base}/#/queue`);
  await operator.locator('li.ticket-row', { hasText: id }).getByText('Asignado a Lucía Romero').waitFor();
  await operator.close();

  const customer = await signedIn(/Cliente de demostración/);
  await customer.goto(`${base}/#/tickets/${id}`);
  await customer.locator('.summary').getByText('Lucía Romero · Soporte Técnico').waitFor();
  assert.doesNotMatch(await customer.locator('main').innerText(), /@netz0\.example/);
  assert.equal(await customer.getByLabel('Asignar a').count(), 0, 'customers get no picker');
  await customer.close();

  const again = await signedIn(/Operador de demostración/);
  await again.goto(`${base}/#/tickets/${id}`);
  await again.getByLabel('Asignar a', { exact: true }).selectOption({ label: 'Nadie (sin asignar)' });
  await again.getByRole('button', { name: 'Asignar', exact: true }).click();
  await again.getByText('El ticket ya no está asignado a nadie.').waitFor();
  await again.locator('.summary').getByText('Sin asignar', { exact: true }).waitFor();
  await again.locator('ol.thread li.history-entry').getByText('Carmen Ruiz dejó el ticket sin asignar.').waitFor();
  await again.close();
});

test('an operator chooses their staff mail on "Mis ajustes", and it is kept and followed', async () => {
  const operator = await signedIn(/Operador de demostración/);
  await operator.getByRole('link', { name: 'Mis ajustes' }).click();
  await operator.getByRole('heading', { level: 1, name: 'Mis ajustes' }).waitFor();
  await operator.getByText('Carmen Ruiz · operador@netz0.example').waitFor();
  const comercial = operator.getByRole('checkbox', { name: 'Comercial' });
  const newTickets = operator.getByRole('checkbox', { name: 'se abre un ticket en mis departamentos' });
  await newTickets.waitFor();
  assert.equal(await comercial.isChecked(), true, 'seeded: she works both departments');
  await comercial.uncheck();
  await operator.getByLabel('Idioma de esos correos', { exact: true }).selectOption('en');
  await operator.getByRole('button', { name: 'Guardar' }).click();
  await operator.getByText('Ajustes guardados.').waitFor();
  await accessible(operator, 'my settings');
  await shot(operator, 'operator-settings');
  await operator.reload();
  await operator.getByRole('heading', { level: 1, name: 'Mis ajustes' }).waitFor();
  await operator.getByText('Carmen Ruiz · operador@netz0.example').waitFor(); // loaded
  assert.equal(await comercial.isChecked(), false, 'kept');
  assert.equal(await operator.getByLabel('Idioma de esos correos', { exact: true }).inputValue(), 'en');

  // Followed: a comercial ticket is not mailed to her now; a soporte one is, in English.
  await fetch(`${base}/_local/outbox/clear`, { method: 'POST' });
  const bearer = await token({ role: 'customer', account_id: 'acct-demo', email: 'cliente@demo.netz0.example' });
  await api('POST', '/tickets', bearer, { department: 'comercial', subject: 'Factura', body: 'Texto' });
  await api('POST', '/tickets', bearer, { department: 'soporte', subject: 'DNS', body: 'Texto' });
  const hers = await fetch(`${base}/_local/outbox?to=operador@netz0.example`).then((r) => r.json());
  assert.deepEqual(hers.map((m) => m.subject.replace(/^\[#NZ-\d+\] /, '')), ['New ticket: DNS']);

  // Back as seeded, for the other tests.
  await comercial.check();
  await operator.getByLabel('Idioma de esos correos', { exact: true }).selectOption('es');
  await operator.getByRole('button', { name: 'Guardar' }).click();
  await operator.getByText('Ajustes guardados.').waitFor();
  await operator.close();

  const customer = await signedIn(/Cliente de demostración/);
  await customer.goto(`${base}/#/settings`);
  await customer.getByRole('heading', { level: 1, name: 'Mis tickets' }).waitFor(); // not for customers
  await customer.close();
});

/** The outbox items to `to` whose raw mail mentions `text` (the local stack's mail, polled: the
 * stream sends it a moment after the write). */
async function mailsMentioning(to, text, { tries = 60 } = {}) {
  for (let n = 0; n < tries; n += 1) {
    const outbox = await (await fetch(`${base}/_local/outbox?to=${encodeURIComponent(to)}`)).json();
    const found = (outbox.items || outbox).filter((item) => item.raw.includes(text));
    if (found.length) return found;
    await new Promise((done) => setTimeout(done, 500));
  }
  return [];
}

let priorityTicket;
let olderTicket;

test('operators set priority and tags on a ticket; the queue shows them, filters by them and works the urgent one first', async () => {
  const customerToken = await token({ role: 'customer', account_id: 'acct-demo', email: 'cliente@demo.netz0.example' });
  const older = await api('POST', '/tickets', customerToken, { department: 'comercial', subject: 'Factura duplicada', body: 'Me cobraron dos veces.' });
  const newer = await api('POST', '/tickets', customerToken, { department: 'comercial', subject: 'Ampliar el plan', body: 'Quiero más buzones.' });
  assert.equal(older.status, 201);
  assert.equal(newer.status, 201);
  olderTicket = older.data.id;
  priorityTicket = newer.data.id;

  const operator = await signedIn(/Operador de demostración/);
  // Before: the same priority, so the customer who has waited longest comes first.
  await operator.goto(`${base}/#/queue?status=OPEN&department=comercial`);
  const subjects = operator.locator('ul.ticket-list .row-subject');
  await subjects.first().waitFor();
  const order = async () => (await subjects.allTextContents()).filter((s) => s === 'Factura duplicada' || s === 'Ampliar el plan');
  assert.deepEqual(await order(), ['Factura duplicada', 'Ampliar el plan']);

  await operator.goto(`${base}/#/tickets/${priorityTicket}`);
  const editor = operator.getByRole('form', { name: 'Prioridad y etiquetas' });
  await editor.waitFor();
  // A tag the rules refuse is said in the form, and nothing is saved.
  await editor.getByLabel('Etiquetas').fill('vip, Ventas!');
  await editor.getByRole('button', { name: 'Guardar prioridad y etiquetas' }).click();
  await editor.getByText('Las etiquetas solo llevan minúsculas sin acentos (a-z), cifras y guiones.').waitFor();
  await editor.getByLabel('Prioridad').selectOption('urgent');
  await editor.getByLabel('Etiquetas').fill('vip, ampliacion  vip');
  await editor.getByRole('button', { name: 'Guardar prioridad y etiquetas' }).click();
  await operator.locator('#live').getByText('Prioridad y etiquetas guardadas.').waitFor();
  const summary = operator.locator('.summary');
  await summary.getByText('Prioridad urgente').waitFor();
  assert.deepEqual(await summary.locator('.tags .tag').allTextContents(), ['ampliacion', 'vip']);
  // The thread says what changed, in the same request as the change.
  await operator.locator('ol.thread .history-entry').getByText('cambió la prioridad de normal a urgente.').waitFor();
  await operator.locator('ol.thread .history-entry').getByText(/cambió las etiquetas \(añadidas: ampliacion,vip; quitadas: ninguna\)/).waitFor();
  await accessible(operator, 'ticket with priority and tags');
  await shot(operator, 'ticket-priority-tags');

  // The queue: badges on the row; the urgent one first now, though it waited less.
  await operator.goto(`${base}/#/queue?status=OPEN&department=comercial`);
  await subjects.first().waitFor();
  assert.deepEqual(await order(), ['Ampliar el plan', 'Factura duplicada']);
  const row = operator.locator('ul.ticket-list li', { hasText: priorityTicket });
  await row.getByText('Prioridad urgente').waitFor();
  await row.locator('.tag', { hasText: 'vip' }).waitFor();
  // Filters: by priority, by tag (typed in capitals: the filter lowercases it), and a tag the rules refuse.
  await operator.getByLabel('Prioridad').selectOption('urgent');
  await operator.getByRole('button', { name: 'Filtrar' }).click();
  await operator.waitForURL(/priority=urgent/);
  await row.waitFor();
  assert.equal(await operator.locator('ul.ticket-list li', { hasText: olderTicket }).count(), 0);
  await operator.getByLabel('Prioridad').selectOption('');
  await operator.getByRole('textbox', { name: 'Etiqueta' }).fill('VIP');
  await operator.getByRole('button', { name: 'Filtrar' }).click();
  await operator.waitForURL(/tag=vip/);
  await row.waitFor();
  assert.equal(await operator.locator('ul.ticket-list li', { hasText: olderTicket }).count(), 0);
  await accessible(operator, 'queue filtered by tag');
  await shot(operator, 'queue-priority-tags');
  await operator.getByRole('textbox', { name: 'Etiqueta' }).fill('no vale');
  await operator.getByRole('button', { name: 'Filtrar' }).click();
  await operator.getByText('Las etiquetas solo llevan minúsculas sin acentos (a-z), cifras y guiones.').waitFor();
  await operator.close();

  // The customer sees neither the priority nor the tags, nor their history entries.
  const customer = await signedIn(/Cliente de demostración/);
  await customer.goto(`${base}/#/tickets/${priorityTicket}`);
  await customer.getByText('Quiero más buzones.').waitFor();
  const text = await customer.locator('main').innerText();
  assert.doesNotMatch(text, /urgente|Prioridad|vip|etiquetas/);
  await customer.close();
});

test('beside the thread, operators see the customer: addresses and the other tickets, most recent first', async () => {
  const operator = await signedIn(/Operador de demostración/);
  await operator.goto(`${base}/#/tickets/${olderTicket}`);
  const panel = operator.getByRole('complementary', { name: 'Cliente' });
  await panel.getByText('Cuenta acct-demo').waitFor();
  await panel.getByRole('link', { name: 'cliente@demo.netz0.example' }).waitFor();
  await panel.getByText('(principal)').waitFor();
  const others = panel.locator('.panel-tickets li');
  await others.first().waitFor();
  // The account's other tickets, the one changed last first; never this one.
  assert.match(await others.first().innerText(), new RegExp(priorityTicket));
  assert.equal(await panel.locator('.panel-tickets a', { hasText: 'Factura duplicada' }).count(), 0);
  await others.first().getByText('Prioridad urgente').waitFor();
  await accessible(operator, 'ticket with the customer panel');
  await shot(operator, 'customer-panel');
  await panel.getByRole('link', { name: priorityTicket === null ? '' : 'Ampliar el plan' }).click();
  await operator.waitForURL(new RegExp(`#/tickets/${priorityTicket}$`));
  await operator.getByRole('complementary', { name: 'Cliente' }).getByRole('link', { name: 'Factura duplicada' }).waitFor();
  await operator.close();
});

test('an operator opens a ticket for a customer who called; the customer has it, with its receipt', async () => {
  const operator = await signedIn(/Operador de demostración/);
  await operator.getByRole('link', { name: 'Ticket para un cliente' }).click();
  await operator.getByRole('heading', { level: 1, name: 'Nuevo ticket para un cliente' }).waitFor();
  const find = operator.getByLabel('Dirección de correo o ID de cuenta del cliente');
  // An address no account has confirmed finds nothing, and says so.
  await find.fill('nadie@ejemplo.es');
  await operator.getByRole('button', { name: 'Buscar cuenta' }).click();
  await operator.getByRole('alert').getByText('Ninguna cuenta tiene confirmada la dirección nadie@ejemplo.es.', { exact: false }).waitFor();
  assert.equal(await operator.getByRole('button', { name: 'Abrir ticket para el cliente' }).isVisible(), false);
  await find.fill('cliente@demo.netz0.example');
  await operator.getByRole('button', { name: 'Buscar cuenta' }).click();
  await operator.getByRole('heading', { name: 'Cuenta acct-demo' }).waitFor();
  await operator.getByLabel('chat').check();
  await operator.getByLabel('Departamento').selectOption('soporte');
  await operator.getByLabel('Asunto').fill('Llamada: no llega el correo');
  await operator.getByLabel('Qué necesita el cliente').fill('Desde esta mañana no recibe correo en info@.');
  await accessible(operator, 'new ticket for a customer');
  await shot(operator, 'new-ticket-for-customer');
  await operator.getByRole('button', { name: 'Abrir ticket para el cliente' }).click();
  await operator.waitForURL(/#\/tickets\/NZ-\d{8}$/);
  const opened = decodeURIComponent(operator.url().split('#/tickets/')[1]);
  await operator.locator('#live').getByText(`Ticket ${opened} abierto para la cuenta acct-demo.`).waitFor();
  await operator.locator('ol.thread .history-entry').getByText('abrió este ticket en nombre del cliente (por chat).').waitFor();
  await operator.locator('ol.thread .message .channel').getByText('chat').waitFor();
  await shot(operator, 'ticket-opened-for-customer');
  await operator.close();

  // The customer's receipt carries the tracking ID; the ticket is theirs, and says how it was opened.
  const receipts = await mailsMentioning('cliente@demo.netz0.example', opened);
  assert.ok(receipts.length >= 1, 'the customer got the receipt');
  const customer = await signedIn(/Cliente de demostración/);
  await customer.getByRole('link', { name: 'Llamada: no llega el correo' }).click();
  await customer.locator('.history-entry').getByText('abrió este ticket en nombre del cliente (por chat).').waitFor();
  await accessible(customer, 'ticket opened for the customer (customer)');
  await customer.close();
});

test('an address that bounces says so on the account page and on the ticket, and can be confirmed again', async () => {
  const address = 'rebota@demo.netz0.example';
  const customerToken = await token({ role: 'customer', account_id: 'acct-demo', email: 'cliente@demo.netz0.example' });
  assert.equal((await api('POST', '/account/emails', customerToken, { email: address })).status, 202);
  const [mail] = await (await fetch(`${base}/_local/outbox?to=${encodeURIComponent(address)}`)).json();
  const raw = mail.raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  const confirmToken = decodeURIComponent(raw.match(/#\/confirm\?token=([A-Za-z0-9_.%-]+)/)[1]);
  assert.equal((await api('POST', '/account/emails/confirm', customerToken, { token: confirmToken })).status, 200);
  // SES reports a hard bounce of our mail to it (through the real mail_feedback function).
  const bounce = await fetch(`${base}/_local/outbox/bounce`, { method: 'POST', body: JSON.stringify({ email: address }) });
  assert.equal((await bounce.json()).decisions[0].outcome, 'marked');

  const customer = await signedIn(/Cliente de demostración/);
  await customer.goto(`${base}/#/account`);
  const row = customer.locator('ul.emails li', { hasText: address });
  await row.getByText('rebota desde el', { exact: false }).waitFor();
  await row.getByText('5.1.1', { exact: false }).waitFor(); // the server's words, as text
  await accessible(customer, 'account with a bouncing address');
  await shot(customer, 'account-undeliverable');

  const operator = await signedIn(/Operador de demostración/);
  await operator.goto(`${base}/#/tickets/${ticketId}`);
  const note = operator.locator('.customer-undeliverable');
  await note.getByText('El correo del cliente rebota', { exact: false }).waitFor();
  await note.getByText(address).waitFor();
  await accessible(operator, 'operator ticket with a bouncing customer address');
  await shot(operator, 'ticket-customer-undeliverable');
  await operator.close();

  await row.getByRole('button', { name: `Confirmar de nuevo ${address}` }).click();
  await customer.waitForFunction(() => /confirmarla de nuevo/.test(document.getElementById('live').textContent));
  await row.getByText('Pendiente de confirmar').waitFor();
  const sent = await (await fetch(`${base}/_local/outbox?to=${encodeURIComponent(address)}`)).json();
  assert.equal(sent.length, 2); // the first confirmation and the new one
  await customer.close();
});
