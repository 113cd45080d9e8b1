/**
 * The few API calls the demo makes as its admin: the tester and their token (API v2), each
 * board's groups and state (API v1, which every Boruta client speaks).
 */
export class DemoApi {
  constructor(
    private readonly baseUrl: string,
    private readonly adminToken: string,
  ) {}

  /** A tester in `groups` and a token for them; resolves with its secret. */
  async createTester(name: string, groups: string[]): Promise<string> {
    const user = (await this.call('POST', '/api/v2/users', { name, role: 'tester', groups })) as {
      id: number;
    };
    const token = (await this.call('POST', `/api/v2/users/${user.id}/tokens`, {
      label: 'npm run demo',
    })) as { secret: string };
    return token.secret;
  }

  async workers(): Promise<
    Array<{ WorkerUUID: string; State: string; Caps: Record<string, string> }>
  > {
    return (await this.call('POST', '/api/v1/workers/list', {})) as Array<{
      WorkerUUID: string;
      State: string;
      Caps: Record<string, string>;
    }>;
  }

  async setGroups(uuid: string, groups: string[]): Promise<void> {
    await this.call('POST', `/api/v1/workers/${uuid}/setgroups`, groups);
  }

  async setIdle(uuid: string): Promise<void> {
    await this.call('POST', `/api/v1/workers/${uuid}/setstate`, { WorkerState: 'IDLE' });
  }

  private async call(method: string, path: string, body: unknown): Promise<unknown> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: { Authorization: `Bearer ${this.adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text === '' ? null : JSON.parse(text);
  }
}
