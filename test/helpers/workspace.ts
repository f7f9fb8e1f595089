import { afterEach, beforeEach } from 'vitest';
import { type HealthServer, startHealthServer } from './health-server.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

export interface Workspace {
  /** A fresh temp directory for each test, removed after it. */
  dir: string;
  /** A local health server (status 200) for each test, closed after it. */
  server: HealthServer;
}

/** The per-test set-up most e2e files share: a temp dir and a health server, torn down after. */
export function useWorkspace(): Workspace {
  const ws = {} as Workspace;
  beforeEach(async () => {
    ws.dir = await makeTempDir();
    ws.server = await startHealthServer(200);
  });
  afterEach(async () => {
    await ws.server.close();
    await removeTempDir(ws.dir);
  });
  return ws;
}
