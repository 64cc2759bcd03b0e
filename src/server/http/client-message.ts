// What a client may see of an error: its first line, without file paths or
// stack frames. The whole error goes to the server log instead.

const PATH = /(?:file:\/\/)?(?:\/[\w.@+~-]+){2,}\/?(?::\d+(?::\d+)?)?/g;
const WINDOWS_PATH = /\b[A-Za-z]:\\[^\s'"]+/g;

export function clientMessage(message: string): string {
  const firstLine = message.split('\n').find((l) => l.trim() !== '') ?? '';
  return hidePaths(firstLine).slice(0, 1000);
}

/**
 * Every absolute path in `text` as a client may see it: one inside `base`
 * (the folder the user pointed the server at) relative to it, any other as
 * `<path>`; `base` itself becomes `label`.
 */
export function hidePaths(text: string, base?: string, label = '<path>'): string {
  const root = base?.replace(/\/+$/, '');
  return text
    .replace(PATH, (p) => {
      if (root && (p === root || p === `${root}/`)) return label;
      if (root && p.startsWith(`${root}/`)) return p.slice(root.length + 1);
      return '<path>';
    })
    .replace(WINDOWS_PATH, '<path>');
}
