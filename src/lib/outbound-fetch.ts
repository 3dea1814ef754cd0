/**
 * `fetch` for URLs that tenants give us (webhook endpoints): it refuses to connect to loopback,
 * private, link-local, carrier-grade NAT, multicast and other non-public addresses, so a tenant
 * cannot point Tacto at the machine's own services or the cloud metadata endpoint (SSRF).
 *
 * The check runs where the connection is made — in the socket's DNS lookup — not on the URL's
 * text, so a name that resolves to a private address is refused, and so is one that changes its
 * answer between a check and the connection (DNS rebinding). IP literals skip DNS and are checked
 * before the request.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b:1::', 48], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** True when an address (v4, v6, or v4-mapped v6) is not a public unicast address. */
export const isNonPublicAddress = (address: string): boolean => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
};

export class BlockedAddressError extends Error {
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, which is not a public address; outbound requests to it are refused`);
    this.name = 'BlockedAddressError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

const guardedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const bad = addresses.find((a) => isNonPublicAddress(a.address));
    if (bad) return callback(Object.assign(new BlockedAddressError(hostname, bad.address), { code: 'EADDRNOTPUBLIC' }), '');
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
    callback(null, first.address, first.family);
  });
};

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * A fetch that only reaches public addresses; with `allowPrivate` (tests, or an on-premises install
 * whose receivers live on the private network: TACTO_OUTBOUND_ALLOW_PRIVATE=on) it is plain fetch.
 */
export const createOutboundFetch = (opts: { allowPrivate: boolean }): FetchLike => {
  if (opts.allowPrivate) return (input, init) => globalThis.fetch(input, init);
  const dispatcher = new Agent({ connect: { lookup: guardedLookup as never } });
  return async (input, init) => {
    const host = new URL(input).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && isNonPublicAddress(host)) throw new TypeError('fetch failed', { cause: new BlockedAddressError(host, host) });
    return (await undiciFetch(input, { ...(init as object), dispatcher } as never)) as unknown as Response;
  };
};
