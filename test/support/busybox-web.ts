import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A tiny web image on this host's Docker, from Debian's busybox-static: `busybox httpd` serves /www on
 * $PORT (default 8080) and its page says `version`. Returns the image id. `dir` holds the scratch rootfs.
 */
export function busyboxWeb(dir: string, tag: string, version: string): string {
  const rootfs = join(dir, `rootfs-${version}-${process.pid}`);
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  mkdirSync(join(rootfs, 'www'), { recursive: true });
  copyFileSync('/usr/bin/busybox', join(rootfs, 'bin', 'busybox'));
  symlinkSync('busybox', join(rootfs, 'bin', 'sh'));
  writeFileSync(join(rootfs, 'www', 'index.html'), `${version}\n`);
  const tar = execFileSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
  rmSync(rootfs, { recursive: true, force: true });
  const cmd = 'CMD ["/bin/sh", "-c", "exec /bin/busybox httpd -f -p \\"${PORT:-8080}\\" -h /www"]';
  execFileSync('docker', ['import', '-c', cmd, '-c', 'EXPOSE 8080', '-', tag], {
    input: tar,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  return execFileSync('docker', ['image', 'inspect', tag, '--format', '{{.Id}}'], { encoding: 'utf8' }).trim();
}
