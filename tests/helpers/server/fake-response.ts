// An Express Response that records what a handler sends, for unit tests of
// error renderers and handlers that need no server.
import type { Response } from 'express';

export interface Sent {
  status?: number;
  body?: any;
  ended?: boolean;
}

export function fakeResponse(): { res: Response; sent: Sent } {
  const sent: Sent = {};
  const res = {
    headersSent: false,
    status(n: number) {
      sent.status = n;
      return this;
    },
    json(b: unknown) {
      sent.body = b;
      return this;
    },
    end() {
      sent.ended = true;
    },
  };
  return { res: res as unknown as Response, sent };
}
