/**
 * Requests the service makes to addresses others chose (webhook receivers, LMS platforms):
 * an instructor's webhook URL must not make the server POST to its own network (a metadata
 * service at 169.254.169.254, a database admin page on 10.0.0.5, the service itself on
 * 127.0.0.1). With private addresses refused, every address a name resolves to is checked
 * when the connection is made (in the socket's own lookup, so a name that resolves to a public
 * address when checked and a private one when connecting cannot slip through), and a literal
 * IP in the URL is checked before anything is sent.
 *
 * Refused by default in production (OUTBOUND_PRIVATE_ADDRESSES=refuse); allowed in development
 * and tests, whose receivers and test platforms listen on loopback.
 */
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent } from 'undici';

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** isPrivateAddress(ip): loopback, private, link-local, shared, multicast or reserved (IPv4-mapped IPv6 by its IPv4 address). */
export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
  const family = isIP(ip);
  if (family === 0) return true;
  return PRIVATE.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

export class PrivateAddressError extends Error {
  constructor(what: string) {
    super(`refused: ${what} is a private or loopback address (OUTBOUND_PRIVATE_ADDRESSES=refuse)`);
  }
}

/** dns.lookup that fails when any address of the name is private. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(Object.assign(new PrivateAddressError(`${hostname} (${bad.address})`), { code: 'EPRIVATE' }), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
};

export type OutboundFetch = (url: string, init?: RequestInit) => Promise<Response>;

/** outboundFetch(refusePrivate): fetch for addresses others chose; an error says why (its cause, not undici's "fetch failed"). */
export function outboundFetch(refusePrivate: boolean): OutboundFetch {
  if (!refusePrivate) return (url, init) => fetch(url, init);
  // Node's own fetch, through an undici Agent whose sockets resolve names with the guard.
  const agent = new Agent({ connect: { lookup: guardedLookup } });
  return async (url, init) => {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && isPrivateAddress(host)) throw new PrivateAddressError(host);
    try {
      // Node's fetch takes `dispatcher` (undici's RequestInit); the DOM type this project compiles against does not name it.
      const guarded: RequestInit & { dispatcher: Agent } = { ...init, dispatcher: agent };
      return await fetch(url, guarded);
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      throw cause instanceof Error ? cause : err;
    }
  };
}
