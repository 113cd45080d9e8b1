import { randomUUID } from 'node:crypto';
import { AGENT_API_PREFIX } from 'dryad-agent/protocol';
import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import { SshTestApp, startSshTestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';

const TOKEN = 'registration-input-token';

/**
 * What an agent sends at registration is what the server will dial and pin: an address it
 * cannot dial or a host key it cannot parse is refused with a 400 naming the field, rather
 * than stored and failing every connection later.
 */
describe('agent registration: addresses and host keys are checked', () => {
  const dir = tempDir();
  let t: SshTestApp;
  const hostKey = generateEd25519KeyPair().public.trim();

  beforeAll(async () => {
    t = await startSshTestApp({ dataDir: dir.path, env: { LESHY_AGENT_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  async function register(fields: Record<string, string>) {
    const response = await fetch(`${t.baseUrl}${AGENT_API_PREFIX}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        uuid: randomUUID(),
        caps: { board: 'input' },
        controlAddr: '127.0.0.1:2222',
        sshAddr: '127.0.0.1:2222',
        hostKey,
        accessMode: 'embedded',
        agentVersion: 'test',
        ...fields,
      }),
    });
    return { status: response.status, body: (await response.json()) as { detail: string } };
  }

  it.each([
    ['controlAddr', '127.0.0.1:0', /controlAddr: the port 0 is not 1 to 65535/],
    ['controlAddr', '127.0.0.1:65536', /controlAddr: the port 65536/],
    ['sshAddr', '127.0.0.1:99999', /sshAddr: the port 99999/],
    ['sshAddr', '127.0.0.1:00022', /sshAddr: the port 00022 has leading zeros/],
    ['controlAddr', '[zz]:22', /controlAddr: \[zz\] is not an IPv6 address/],
    ['sshAddr', '999.999.999.999:22', /sshAddr: 999\.999\.999\.999 is not an IPv4 address/],
    ['controlAddr', 'a/b:22', /controlAddr: "a\/b" is not a valid host name/],
    ['hostKey', 'ssh-ed25519 AAAA', /hostKey: cannot be parsed/],
  ])('%s %s is a 400 that names the field', async (field, value, why) => {
    const answer = await register({ [field]: value });
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toMatch(why);
  });

  it.each([['[::1]:2222'], ['board-7.lab.example:22'], ['10.0.0.12:2222']])(
    'a valid address %s is accepted',
    async (address) => {
      expect((await register({ controlAddr: address, sshAddr: address })).status).toBe(200);
    },
  );
});
