// "Copy as curl": the same input sent to the server's synchronous Cog route,
// as a POSIX shell command. No DOM here: the Node tests run its output.

/**
 * @param {string} serverRoot e.g. "http://localhost:5000/" (with or without the slash)
 * @param {Record<string, unknown>} input
 */
export function curlCommand(serverRoot, input) {
  const url = new URL('predictions', serverRoot.endsWith('/') ? serverRoot : `${serverRoot}/`).href;
  const body = JSON.stringify({ input });
  return [
    `curl -sS -X POST ${shellQuote(url)}`,
    `  -H 'Content-Type: application/json'`,
    `  --data-binary ${shellQuote(body)}`,
  ].join(' \\\n');
}

/** Single-quotes `s` for sh: inside '…' nothing is special except ' itself. @param {string} s */
export function shellQuote(s) {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
