/** Options of the file generators (`slipway init`). */
export interface GenerateOptions {
  /** `official` language images (default) or Debian's own packages on a Debian base. */
  runtime?: 'official' | 'debian';
  /** Overrides the base image of every stage that would use the runtime image. */
  baseImage?: string;
  /** File name (in the build context) of an extra CA certificate to trust during the build. */
  caCert?: string;
  /** App name used in docker-compose.yml (image and volume names); default `app`. */
  appName?: string;
}

export const DEBIAN_BASE = 'debian:bookworm-slim';
