// The safe fetcher on its own: which addresses pass, the allowlist, DNS resolved once and the
// connection pinned to the checked address, names with mixed answers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { blockedReason } from '../src/blobs/fetch/ip-ranges.ts';
import { checkUrl, DEFAULT_FETCH_POLICY, parseAllowEntry, RemoteFetchError, type FetchPolicy, type Lookup } from '../src/blobs/fetch/policy.ts';
import { fetchToFile } from '../src/blobs/fetch/safe-fetch.ts';
import { tempDir } from './support/server.ts';

describe('blockedReason', () => {
  const blocked = [
    '0.0.0.0', '0.1.2.3', '10.0.0.1', '100.64.0.1', '100.100.100.200', '127.0.0.1', '127.255.255.254', '169.254.169.254',
    '169.254.0.1', '168.63.129.16', '172.16.0.1', '172.31.255.255', '192.0.0.192', '192.0.2.1', '192.168.1.1', '198.18.0.1',
    '198.51.100.1', '203.0.113.1', '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255',
    '::', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:a9fe:a9fe', '::127.0.0.1', '64:ff9b::10.0.0.1',
    '2002:7f00:1::1', '2002:c0a8:101::', 'fe80::1', 'fe80::1%eth0', 'fc00::1', 'fd00:ec2::254', 'ff02::1', '2001:db8::1',
    '2001::1', '100::1', '::ffff:0:127.0.0.1',
  ];
  const open = ['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '100.128.0.1', '::ffff:8.8.8.8', '64:ff9b::808:808', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'];
  test('refuses every special-purpose range, in every spelling', () => {
    for (const a of blocked) assert.ok(blockedReason(a), `${a} should be blocked`);
  });
  test('lets public unicast through', () => {
    for (const a of open) assert.equal(blockedReason(a), null, a);
  });
});

describe('checkUrl', () => {
  const policy = (lookup: Lookup, allowHosts: string[] = []): FetchPolicy => ({ ...DEFAULT_FETCH_POLICY, lookup, allowHosts });
  const answers = (...addresses: string[]): Lookup => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  test('a name is refused when any of its addresses is inside', async () => {
    await assert.rejects(checkUrl(new URL('http://mixed.test/'), policy(answers('93.184.216.34', '10.1.1.1'))), /a private address \(mixed\.test → 10\.1\.1\.1\)/);
    assert.deepEqual(await checkUrl(new URL('http://ok.test/'), policy(answers('93.184.216.34'))), { address: '93.184.216.34', family: 4 });
  });

  test('the allowlist opens a host, optionally on one port, and only that', async () => {
    const p = policy(answers('127.0.0.1'), ['dev.test:8080', '*.lan']);
    assert.equal((await checkUrl(new URL('http://dev.test:8080/'), p)).address, '127.0.0.1');
    await assert.rejects(checkUrl(new URL('http://dev.test:8081/'), p), RemoteFetchError);
    assert.equal((await checkUrl(new URL('http://nas.lan/'), p)).address, '127.0.0.1');
    await assert.rejects(checkUrl(new URL('http://lan/'), p), RemoteFetchError);
    assert.throws(() => parseAllowEntry('http://x/'), /REELHOUSE_FETCH_ALLOW_HOSTS/);
    assert.equal(parseAllowEntry(' Dev.Test:80 '), 'dev.test:80');
  });

  test('an unresolvable name is a clear error', async () => {
    const fail: Lookup = async () => { throw new Error('ENOTFOUND'); };
    await assert.rejects(checkUrl(new URL('http://nowhere.test/'), policy(fail)), /could not be resolved \(nowhere\.test\)/);
  });
});

describe('fetchToFile', () => {
  let srv: http.Server;
  let port: number;
  const hosts: string[] = [];
  before(async () => {
    srv = http.createServer((req, res) => {
      hosts.push(req.headers.host ?? '');
      res.end('pinned');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    port = (srv.address() as net.AddressInfo).port;
  });
  after(() => srv.close());

  test('DNS is asked once per hop, and the connection goes to the address that was checked', async () => {
    // A rebinding DNS server: the first answer is the one checked (allowed here), the second
    // would be somewhere else. Only the first is ever used.
    let asked = 0;
    const rebinding: Lookup = async () => [{ address: asked++ === 0 ? '127.0.0.1' : '10.9.9.9', family: 4 }];
    const dest = path.join(tempDir(), 'out');
    const got = await fetchToFile(`http://rebind.test:${port}/a`, dest, { ...DEFAULT_FETCH_POLICY, lookup: rebinding, allowHosts: [`rebind.test:${port}`] });
    assert.equal(asked, 1);
    assert.equal(fs.readFileSync(dest, 'utf8'), 'pinned');
    assert.equal(got.size, 6);
    assert.equal(hosts.at(-1), `rebind.test:${port}`, 'the Host header keeps the name (and TLS would verify it)');
  });
});
