// "Copy as curl": the same input sent to the server's synchronous Cog route,
// as a POSIX shell command. No DOM here: the Node tests run its output.

/**
 * With `withKey` the command sends `Authorization: Bearer $API_KEY`: the shell
 * fills in the key from the environment, so the key itself is never copied.
 * @param {string} serverRoot e.g. "http://localhost:5000/" (with or without the slash)
 * @param {Record<string, unknown>} input
 * @param {boolean} [withKey]
 */
export function curlCommand(serverRoot, input, withKey = false) {
  const url = new URL('predictions', serverRoot.endsWith('/') ? serverRoot : `${serverRoot}/`).href;
  const body = JSON.stringify({ input });
  return [
    `curl -sS -X POST ${shellQuote(url)}`,
    `  -H 'Content-Type: application/json'`,
    ...(withKey ? ['  -H "Authorization: Bearer $API_KEY"'] : []),
    `  --data-binary ${shellQuote(body)}`,
  ].join(' \\\n');
}

/** Single-quotes `s` for sh: inside '…' nothing is special except ' itself. @param {string} s */
export function shellQuote(s) {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
