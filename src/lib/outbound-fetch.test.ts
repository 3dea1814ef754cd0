import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockedAddressError, createOutboundFetch, isNonPublicAddress } from './outbound-fetch.ts';

let server: Server;
let port = 0;
let hits = 0;
beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const causeOf = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await p;
  } catch (e) {
    return (e as { cause?: unknown }).cause ?? e;
  }
  throw new Error('expected the request to fail');
};

describe('isNonPublicAddress', () => {
  it.each([
    ['127.0.0.1', true], ['127.10.0.3', true], ['10.1.2.3', true], ['172.16.0.1', true], ['172.31.255.255', true], ['192.168.1.1', true],
    ['169.254.169.254', true], ['100.64.0.1', true], ['0.0.0.0', true], ['224.0.0.1', true], ['255.255.255.255', true], ['198.18.0.1', true],
    ['::1', true], ['::', true], ['fe80::1', true], ['fd12:3456::1', true], ['ff02::1', true], ['::ffff:127.0.0.1', true], ['::ffff:10.0.0.1', true],
    ['not an address', true],
    ['8.8.8.8', false], ['172.32.0.1', false], ['100.128.0.1', false], ['151.101.1.69', false], ['2a00:1450:4003:80f::200e', false], ['::ffff:8.8.4.4', false],
  ])('%s -> %s', (address, expected) => {
    expect(isNonPublicAddress(address)).toBe(expected);
  });
});

describe('createOutboundFetch', () => {
  it('refuses a loopback IP literal before connecting', async () => {
    const before = hits;
    const cause = await causeOf(createOutboundFetch({ allowPrivate: false })(`http://127.0.0.1:${port}/hook`, { method: 'POST', body: 'x' }));
    expect(cause).toBeInstanceOf(BlockedAddressError);
    expect(hits).toBe(before);
  });

  it('refuses a name that resolves to a loopback address (checked at connect time)', async () => {
    const before = hits;
    const cause = await causeOf(createOutboundFetch({ allowPrivate: false })(`http://localhost:${port}/hook`, { method: 'POST', body: 'x' }));
    expect(String((cause as Error).message)).toMatch(/not a public address/);
    expect(hits).toBe(before);
  });

  it('refuses the cloud metadata address and IPv6 loopback', async () => {
    const f = createOutboundFetch({ allowPrivate: false });
    expect(await causeOf(f('http://169.254.169.254/latest/meta-data/', { method: 'GET' }))).toBeInstanceOf(BlockedAddressError);
    expect(await causeOf(f(`http://[::1]:${port}/`, { method: 'GET' }))).toBeInstanceOf(BlockedAddressError);
  });

  it('lets a public address through the guard (the connection itself may then fail offline)', async () => {
    const cause = await causeOf(createOutboundFetch({ allowPrivate: false })('http://192.0.43.10:9/', { method: 'GET', signal: AbortSignal.timeout(300) }));
    expect(cause).not.toBeInstanceOf(BlockedAddressError);
  });

  it('reaches private addresses when configured to (on-premises receivers, tests)', async () => {
    const before = hits;
    const res = await createOutboundFetch({ allowPrivate: true })(`http://127.0.0.1:${port}/hook`, { method: 'POST', body: 'x' });
    expect(await res.text()).toBe('ok');
    expect(hits).toBe(before + 1);
  });
});
