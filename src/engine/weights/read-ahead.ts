// Keeps one read pending on a fetch body from the moment the response arrives.
// A WHATWG stream that errors (connection cut) discards the chunks still queued
// in it, but a chunk that lands in a pending read is delivered; so with a read
// always in flight, the bytes that arrived before a cut reach the part file
// while the code between "headers received" and "start writing" runs.

export interface ReadAhead extends AsyncIterable<Uint8Array> {
  cancel(): Promise<void>;
}

export function readAhead(body: ReadableStream<Uint8Array>): ReadAhead {
  const reader = body.getReader();
  let next = pending(reader);
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const r = await next;
        if (r.done) return;
        next = pending(reader);
        yield r.value;
      }
    },
    async cancel() {
      await reader.cancel().catch(() => {});
    },
  };
}

function pending(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array>> {
  const p = reader.read();
  p.catch(() => {}); // rejection is handled where it is awaited; this avoids an unhandled-rejection warning
  return p;
}
