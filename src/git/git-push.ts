import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Slipway } from '../slipway.js';
import { BuildFollowers } from './build-follow.js';
import { GitRepos } from './git-repos.js';
import { PushDeployer } from './push-deploy.js';
import { PushGate } from './push-gate.js';

/** git push: the apps' repositories, the hook's socket, the deploys of pushes and the followed builds. */
export class GitPush {
  readonly repos: GitRepos;
  readonly followers = new BuildFollowers();
  readonly gate: PushGate;
  private deployer: PushDeployer | undefined;

  constructor(home: string, maxPackBytes: number, services: () => Slipway) {
    this.repos = new GitRepos(join(home, 'git'), maxPackBytes);
    this.gate = new PushGate(join(home, 'git', 'push.sock'), (reg, request, reply) => {
      this.deployer ??= new PushDeployer(services(), this.followers);
      return this.deployer.handle(reg, request, reply);
    });
  }

  async start(): Promise<void> {
    await mkdir(this.repos.root, { recursive: true, mode: 0o700 });
    await this.gate.start();
  }

  stop(): Promise<void> {
    return this.gate.stop();
  }
}
