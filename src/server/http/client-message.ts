// What a client may see of an error: its first line, without file paths or
// stack frames. The whole error goes to the server log instead.

const PATH = /(?:file:\/\/)?(?:\/[\w.@+~-]+){2,}\/?(?::\d+(?::\d+)?)?/g;
const WINDOWS_PATH = /\b[A-Za-z]:\\[^\s'"]+/g;

export function clientMessage(message: string): string {
  const firstLine = message.split('\n').find((l) => l.trim() !== '') ?? '';
  return firstLine.replace(PATH, '<path>').replace(WINDOWS_PATH, '<path>').slice(0, 1000);
}
