// What a SIGTERM/SIGINT means to the server: the first starts a graceful
// shutdown, a later one means "exit now" — except npm's relay. Under
// `npm start` a group signal (Ctrl-C in a terminal, `kill -TERM -<pgid>`)
// reaches this process twice: directly, and again from npm, whose run-script
// forwards SIGINT/SIGTERM to its child. So when npm is the parent, the first
// repeat of each signal is taken as that relay, not as impatience. No clock is
// involved: a loaded machine may deliver the relay late.

import { setting, type Env } from '../../settings.ts';

export type SignalVerdict = 'shutdown' | 'duplicate' | 'exit-now';

/** True when npm (npm start / npm run / npx) started this process and so relays signals to it. */
export function underNpm(env?: Env): boolean {
  return setting('npm_lifecycle_event', env) !== undefined;
}

export class SignalPolicy {
  private started = false;
  private readonly relayed = new Set<string>();

  /** `relaying`: whether a parent forwards each group signal a second time (npm). */
  constructor(private readonly relaying: boolean) {}

  receive(signal: string): SignalVerdict {
    if (!this.started) {
      this.started = true;
      if (this.relaying) this.relayed.add(signal); // expect its relay once
      return 'shutdown';
    }
    if (this.relayed.delete(signal)) return 'duplicate';
    return 'exit-now';
  }
}
