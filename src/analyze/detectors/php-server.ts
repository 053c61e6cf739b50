import type { Findings } from '../findings.js';
import type { AppFiles } from '../read-source.js';
import type { PhpServer } from '../types.js';

/**
 * Heroku's PHP buildpack starts apps with `heroku-php-apache2 [options] [DOCROOT]` or
 * `heroku-php-nginx …` (also as `vendor/bin/heroku-php-…`), programs that exist only on Heroku.
 * Such a Procfile command is translated into a real server setup with the same document root
 * (see generate/php-server-scripts.ts); the options that configure Heroku's own php-fpm, php.ini
 * or log tailing are ignored, with a warning.
 */
const BUILDPACK = /^((?:\.\/)?vendor\/bin\/)?(heroku-php-apache2|heroku-php-nginx)(?:\s+(.*))?$/;
const NGINX_BUILDPACK = /^(?:\.\/)?bin\/start-nginx(?:-solo|-debug)?\b/;
const WITH_VALUE = new Set(['-C', '-F', '-i', '-l', '-p']);

export async function phpServerFromCommand(
  command: string,
  where: { file: string; line?: number },
  files: AppFiles,
  findings: Findings,
): Promise<PhpServer | undefined> {
  const at = `${where.file}${where.line ? `:${where.line}` : ''}`;
  if (NGINX_BUILDPACK.test(command)) {
    findings.warn(
      `${at}: ${command.split(/\s+/)[0]} is Heroku's nginx buildpack, which the image does not have; ` +
        "Slipway's router already sits in front of the app: make the web command itself listen on $PORT",
    );
    return undefined;
  }
  const m = BUILDPACK.exec(command.trim());
  if (!m) return undefined;
  const name = m[2] as PhpServer['command'];
  const words = (m[3] ?? '').split(/\s+/).filter(Boolean);
  let docroot = '.';
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (WITH_VALUE.has(word)) {
      if (word !== '-C') findings.warn(`${at}: ${name} ${word} (Heroku's own php-fpm/php.ini setup) is ignored`);
      i++;
    } else if (!word.startsWith('-')) {
      docroot = word.replace(/^\.\//, '').replace(/\/+$/, '') || '.';
      break;
    }
  }
  if (docroot !== '.' && !(await files.exists(docroot)))
    findings.warn(`${at}: document root ${docroot}/ does not exist in the app`);
  const kind = name === 'heroku-php-apache2' ? 'Apache httpd + mod_php' : 'nginx + php-fpm';
  findings.note(
    'process:web',
    where.file,
    `${name} is Heroku's PHP buildpack server: the image gets ${kind} with document root ${docroot}/, ` +
      `started by a ${name} of its own`,
    where.line,
  );
  return {
    kind: name === 'heroku-php-apache2' ? 'apache' : 'nginx',
    docroot,
    command: name,
    ...(m[1] ? { invokedAs: `${m[1].replace(/^\.\//, '')}${name}` } : {}),
  };
}
