import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteBook } from './route-book.js';
import type { AppRoute } from '../port.js';

const check = { intervalMs: 500, timeoutMs: 1000 };
const route = (app: string, names: string[]): AppRoute => ({
  app,
  hosts: [`${app}.test`],
  check,
  servers: names.map((name, i) => ({ name, address: '10.0.0.2', port: 30000 + i, state: 'ready' })),
});
const names = (book: RouteBook) =>
  book.all().map((r) => [r.app, r.servers.map((s) => `${s.name}:${s.state}:${s.weight ?? 1}`)]);

test('the book follows each change: add, drain, weight, remove', () => {
  const book = new RouteBook();
  book.replace([route('shop', ['web-a'])]);
  book.addServer('shop', { name: 'web-b', address: '10.0.0.3', port: 30001, state: 'ready', weight: 0 }, check);
  book.setWeight('shop', 'web-b', 1);
  book.setState('shop', 'web-a', 'drain');
  assert.deepEqual(names(book), [['shop', ['web-a:drain:1', 'web-b:ready:1']]]);
  book.remove('shop', 'web-a');
  book.addServer('nope', { name: 'x', address: '10.0.0.3', port: 1, state: 'ready' }, check);
  assert.deepEqual(names(book), [['shop', ['web-b:ready:1']]]);
  assert.equal(book.has('shop', 'web-b'), true);
  assert.equal(book.has('shop', 'web-a'), false);
});

test('a sync from the store keeps servers it does not list yet, drops apps it does not name', () => {
  const book = new RouteBook();
  book.replace([route('shop', ['web-a']), route('blog', ['web-1'])]);
  book.addServer('shop', { name: 'web-new', address: '10.0.0.9', port: 30009, state: 'ready' }, check);
  book.merge([route('shop', ['web-a'])]);
  assert.deepEqual(names(book), [['shop', ['web-a:ready:1', 'web-new:ready:1']]]);
  book.replace([route('shop', ['web-a'])]);
  assert.deepEqual(names(book), [['shop', ['web-a:ready:1']]]);
});

test('what all() returns is a copy: changing it changes nothing in the book', () => {
  const book = new RouteBook();
  book.replace([route('shop', ['web-a'])]);
  book.all()[0]!.servers[0]!.state = 'maint';
  book.all()[0]!.servers.push({ name: 'x', address: 'y', port: 1, state: 'ready' });
  assert.deepEqual(names(book), [['shop', ['web-a:ready:1']]]);
});
