// The portal in a real browser (Debian's chromium driven by playwright-core) against `make run`'s
// stack started on free ports: a customer and an operator work one ticket to its end, another
// account cannot reach it, and HTML in user text stays text. Screenshots of the main screens go to
// test-artifacts/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)>';

let server;
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
    const timer = setTimeout(() => reject(new Error(`the stack did not start:\n${output}`)), 60_000);
    const look = (chunk) => {
      output += chunk;
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
  await operator.getByRole('button', { name: 'Cerrar ticket' }).click();
  await operator.getByText('Ticket cerrado.').waitFor();
  await operator.close();
  const customer = await signedIn(/Cliente de demostración/, { width: 375, height: 800 });
  await customer.goto(ticketUrl);
  await customer.getByText('Cerrado', { exact: true }).first().waitFor();
  await customer.getByRole('button', { name: 'Reabrir ticket' }).click();
  await customer.getByText('Ticket reabierto.').waitFor();
  await customer.getByText('Abierto', { exact: true }).first().waitFor();
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
