import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResult, runCli } from '../helpers/cli.js';
import { type HealthServer, startHealthServer } from '../helpers/health-server.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { makeTempDir, removeTempDir, writePlan } from '../helpers/temp-dir.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/** Webhooks go through the same HTTP client as checks, so they honour the proxy variables too. */
describe('notify: webhooks through proxies', { timeout: 60_000 }, () => {
  let dir: string;
  let server: HealthServer;
  let hook: WebhookReceiver;
  let proxy: TestProxy;
  beforeEach(async () => {
    dir = await makeTempDir();
    server = await startHealthServer(200);
    hook = await startWebhookReceiver('ok');
    proxy = await startProxy();
  });
  afterEach(async () => {
    await Promise.all([hook.close(), server.close(), proxy.close()]);
    await removeTempDir(dir);
  });

  const plan = () => `stages:
  - name: canary
    deploy: "true"
    soak: 0
notify:
  - url: ${hook.url('/hook')}
    events: [run.started, run.finished]
`;

  it('POSTs webhooks through HTTP_PROXY, with the proxy URL’s credentials, never printing them', async () => {
    await writePlan(dir, plan());
    const result = await runCli(['run'], { cwd: dir, env: { HTTP_PROXY: proxy.url.replace('http://', 'http://hooks:s3cr3t-proxy@') } });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(proxy.forwarded).toEqual([`POST ${hook.url('/hook')}`, `POST ${hook.url('/hook')}`]);
    expect(proxy.authorizations[0]).toBe(`Basic ${Buffer.from('hooks:s3cr3t-proxy').toString('base64')}`);
    expect(hook.received.map((r) => r.body.event)).toEqual(['run.started', 'run.finished']);
    expect(result.all).not.toContain('s3cr3t-proxy');
  });

  it('goes direct to a webhook host listed in NO_PROXY', async () => {
    await writePlan(dir, plan());
    const result = await runCli(['run'], { cwd: dir, env: { HTTP_PROXY: proxy.url, no_proxy: '127.0.0.1' } });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(proxy.forwarded).toEqual([]);
    expect(hook.received).toHaveLength(2);
  });

  it('warns, naming the proxy, when the proxy is down; the rollout still succeeds', async () => {
    await writePlan(dir, plan());
    await proxy.close();
    const result = await runCli(['run'], { cwd: dir, env: { HTTP_PROXY: proxy.url } });
    expect(result.exitCode, describeResult(result)).toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(`warning: notify: could not deliver run.started to .*: connection refused \\(ECONNREFUSED\\) \\(via proxy 127\\.0\\.0\\.1:${proxy.port}\\)`),
    );
    expect(hook.received).toEqual([]);
  });
});
