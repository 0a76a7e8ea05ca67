// Unit tests of the portal's pure modules (no DOM): the hash router and the address finder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve, safeNext, signinFor } from '../portal/router.js';
import { linkify, safeHref } from '../portal/linkify.js';

const customer = { role: 'customer' };
const operator = { role: 'operator' };

test('every hash resolves to a view, a redirect or "not found", whoever asks', () => {
  const hashes = ['', '#', '#/', '#/tickets/%E0%A4%A', '#/tickets/%', '#/tickets/%ZZ', '#/tickets/%C0%AF',
    '#/tickets/NZ-00000001', '#/tickets/nz-1?x=%E0%A4%A', '#/tickets?status=%E0%A4%A', '#/tickets/a/b',
    '#/nope', '#main', '#/signin?next=%E0%A4%A', '#/signin?next=javascript:alert(1)', '#/queue?%', '#/mine',
    '#/new', '#/account', '#//evil.example', '#/tickets/\u0000', '#/tickets/%F0%9F%98%80', '#?#?', '#/signin?next=%23%2Fnew'];
  // and some random ones: bytes, escapes and separators in any order
  const alphabet = ['%', 'E0', 'A4', 'A', '/', '?', '#', '=', '&', 'tickets', 'new', 'signin', 'next', 'ñ', '\uD800', ' '];
  let seed = 8;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  for (let i = 0; i < 500; i += 1) {
    hashes.push(`#/${Array.from({ length: 1 + rand(8) }, () => alphabet[rand(alphabet.length)]).join('')}`);
  }
  for (const who of [null, customer, operator]) {
    for (const hash of hashes) {
      const found = resolve(hash, who);
      const kinds = ['redirect', 'notFound', 'view'].filter((k) => found[k]);
      assert.equal(kinds.length, 1, `${JSON.stringify(hash)} as ${who?.role}: ${JSON.stringify(found)}`);
      if (found.redirect) {
        // a redirect leads to a screen, never to another redirect
        const then = resolve(found.redirect, who);
        assert.ok(then.view || then.notFound, `${hash} → ${found.redirect} → ${JSON.stringify(then)}`);
      }
      if (found.view && found.view !== 'signin') assert.ok(who, `${hash} shows ${found.view} signed out`);
    }
  }
});

test('a malformed escape in a ticket link is "not found" once signed in', () => {
  assert.deepEqual(resolve('#/tickets/%E0%A4%A', customer).notFound, true);
  assert.deepEqual(resolve('#/tickets/%E0%A4%A', operator).notFound, true);
  assert.equal(resolve('#/tickets/nz-00000001', customer).params[0], 'nz-00000001');
  assert.equal(resolve('#/tickets/%4E%5A-1', customer).params[0], 'NZ-1');
  assert.equal(resolve('#/nope', customer).notFound, true);
});

test('a deep link opened while signed out is kept through sign-in, for the role that can see it', () => {
  assert.deepEqual(resolve('#/new', null), { redirect: '#/signin?next=%23%2Fnew' });
  assert.equal(resolve('#/tickets/NZ-00000042', null).redirect, '#/signin?next=%23%2Ftickets%2FNZ-00000042');
  // signed in on that sign-in address: on to the deep link
  assert.equal(resolve('#/signin?next=%23%2Fnew', customer).redirect, '#/new');
  assert.equal(resolve('#/signin?next=%23%2Ftickets%2FNZ-00000042', operator).redirect, '#/tickets/NZ-00000042');
  // a customer's screen is no use to an operator: home instead
  assert.equal(resolve('#/signin?next=%23%2Fnew', operator).redirect, '#/queue');
  // only the portal's own screens are kept: no other URL, scheme or the sign-in page itself
  for (const next of ['https://evil.example/', '//evil.example', 'javascript:alert(1)', '#/signin', '#/nope', '', '#/signin?next=%23%2Fnew']) {
    assert.equal(safeNext(next), null, next);
    assert.equal(resolve(`#/signin?${new URLSearchParams({ next })}`, customer).redirect, '#/tickets', next);
  }
  assert.equal(signinFor('#/nope'), '#/signin');
  assert.equal(signinFor(''), '#/signin');
});

const links = (text) => linkify(text).filter((x) => x.href).map((x) => [x.text, x.href]);

test('web and mail addresses become links; sentence punctuation is not part of them', () => {
  assert.deepEqual(links('Vea https://netz0.example/ayuda/webmail.'), [['https://netz0.example/ayuda/webmail', 'https://netz0.example/ayuda/webmail']]);
  assert.deepEqual(links('(ver http://a.example/x_(y)), y mailto:ana@cliente.es!'), [
    ['http://a.example/x_(y)', 'http://a.example/x_(y)'], ['mailto:ana@cliente.es', 'mailto:ana@cliente.es']]);
  assert.deepEqual(links('HTTPS://A.EXAMPLE/?q=1&b=2, fin'), [['HTTPS://A.EXAMPLE/?q=1&b=2', 'https://a.example/?q=1&b=2']]);
  // the text around the links is kept exactly
  const text = 'uno https://a.example dos\nhttp://b.example/ñ tres';
  assert.equal(linkify(text).map((x) => x.text).join(''), text);
  assert.deepEqual(linkify(''), [{ text: '' }]);
});

test('nothing but http, https and mailto becomes a link', () => {
  const bad = ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox', 'file:///etc/passwd', 'ftp://a.example/', 'http://', 'https:///x', 'mailto:', 'mailto:nadie',
    'https://<script>', 'xhttps://a.example', '<a href="javascript:alert(1)">https</a>'];
  for (const text of bad) assert.deepEqual(links(text), [], text);
  for (const text of ['javascript:alert(1)', 'data:text/html,x', 'http://', 'mailto:']) assert.equal(safeHref(text), null, text);
  // a link whose text says one thing is still only what it is
  assert.deepEqual(links('https://a.example/"onmouseover="alert(1)'), [['https://a.example/', 'https://a.example/']]);
});

test('the reports are an operator\'s screen', () => {
  assert.equal(resolve('#/reports?from=2026-11-01&to=2026-11-30', operator).view, 'reports');
  assert.equal(resolve('#/reports', operator).query.get('from'), null);
  assert.deepEqual(resolve('#/reports', customer), { redirect: '#/tickets' });
  assert.equal(resolve('#/reports', null).redirect, '#/signin?next=%23%2Freports');
});
