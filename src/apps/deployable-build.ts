import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import type { Build } from '../core/types.js';
import { SlipwayError, isSlipwayError } from '../core/errors.js';

/**
 * The build `deploy --build ID` names: a build record's id (`slipway builds`), or a build number
 * (`buildId` in `releases --json` and `builds --json`, also for images deployed with --image). Only a
 * successful build whose image is still on this host can be deployed.
 */
export async function deployableBuild(
  deps: { store: Store; engine: ContainerEngine },
  app: string,
  id: string,
): Promise<Build> {
  const { store, engine } = deps;
  const byNumber = /^\d{1,15}$/.test(id) && !store.buildRecords.find(id);
  const build = byNumber ? buildNumbered(store, Number(id)) : undefined;
  if (byNumber && build?.app !== app) {
    throw new SlipwayError('NOT_FOUND', `build ${id} of "${app}" does not exist`, {
      hint: `list builds with \`slipway builds -a ${app}\` or \`slipway releases -a ${app} --json\``,
    });
  }
  const record = build ? store.buildRecords.forBuild(build.id) : store.buildRecords.get(app, id);
  if (record && (record.status !== 'succeeded' || record.buildId === null)) {
    throw new SlipwayError(
      'INVALID_INPUT',
      `build ${record.id} ${record.status === 'running' ? 'is still running' : 'failed'}; ` +
        'only a successful build can be deployed',
      { hint: `list builds with \`slipway builds -a ${app}\`` },
    );
  }
  if (record?.prunedAt) {
    throw new SlipwayError('IMAGE_NOT_FOUND', `the image of build ${id} was pruned (image retention)`, {
      hint: 'build the source again with `slipway build` or `slipway deploy DIR`',
    });
  }
  const chosen = build ?? store.releases.build(record!.buildId!);
  // A build of an image deployed with --image has no record: its image must still be on this host.
  if (!record && !(await engine.inspectImage(chosen.imageRef))) {
    throw new SlipwayError('IMAGE_NOT_FOUND', `the image of build ${id} (${chosen.imageRef}) is not on this host`, {
      hint: 'deploy the image again with `slipway deploy --image IMAGE`',
    });
  }
  return chosen;
}

/** The `builds` row with this number, if there is one. */
function buildNumbered(store: Store, id: number): Build | undefined {
  try {
    return store.releases.build(id);
  } catch (err) {
    if (isSlipwayError(err) && err.code === 'NOT_FOUND') return undefined;
    throw err;
  }
}
