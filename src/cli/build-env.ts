/**
 * Which of the CLI's environment variables a build.yml may read. The file comes with the source
 * (a pull request, a dependency), so it must not be able to pull a credential out of the deployer's
 * shell into a build argument (build arguments stay in image history): names that look like
 * credentials are withheld unless the user passes them on purpose (`--env NAME=…`, or `--secret`).
 */
const CREDENTIAL =
  /(SECRET|TOKEN|PASSW(OR)?D|PASSPHRASE|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_?KEY|AUTH|SESSION|COOKIE|SIGNING)/i;
const CREDENTIAL_PREFIX = /^(AWS_|AZURE_|GOOGLE_|GCLOUD_|GCP_|DOCKER_|SSH_|GPG_|KUBE|VAULT_|SLIPWAY_)/;

export function looksLikeCredential(name: string): boolean {
  return CREDENTIAL.test(name) || CREDENTIAL_PREFIX.test(name);
}

/** The referenced variables that are set, split into those sent and those withheld. */
export function buildEnvironment(
  referenced: Iterable<string>,
  env: NodeJS.ProcessEnv,
): { taken: Record<string, string>; withheld: string[] } {
  const taken: Record<string, string> = {};
  const withheld: string[] = [];
  for (const name of referenced) {
    const value = env[name];
    if (value === undefined) continue;
    if (looksLikeCredential(name)) withheld.push(name);
    else taken[name] = value;
  }
  return { taken, withheld };
}
