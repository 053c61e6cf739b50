/**
 * Crash-test failpoints. `SLIPWAY_FAILPOINT=after-route-add:2` makes the server kill itself with
 * SIGKILL right after the 2nd `route-add` step completes — the way the crash-safety tests stop the
 * control plane at an exact point of a rollout. Unset in production: then this does nothing.
 */
export function createFailpoints(spec: string | undefined = process.env['SLIPWAY_FAILPOINT']): (point: string) => void {
  if (!spec) return () => {};
  const [name, nth = '1'] = spec.split(':');
  const target = Number(nth);
  let seen = 0;
  return (point) => {
    if (point !== name) return;
    seen += 1;
    if (seen === target) process.kill(process.pid, 'SIGKILL');
  };
}
