// WorkerSupervisor on stand-in workers: who runs a batch before, during and
// after a restart, how the restart budget is spent (a failed start counts),
// and what it reports at each step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelWorker } from '../../../src/engine/worker/model-worker.ts';
import { WorkerSupervisor, type WorkerStatus } from '../../../src/engine/worker/supervisor.ts';

class StandIn {
  runs = 0;
  released = false;
  private dieWith!: (err: Error) => void;
  readonly death = new Promise<Error>((resolve) => (this.dieWith = resolve));
  constructor(readonly name: string) {}
  async run(): Promise<never[]> {
    this.runs++;
    return [];
  }
  async release(): Promise<void> {
    this.released = true;
  }
  kill(message: string): void {
    this.dieWith(new Error(message));
  }
}

const asWorker = (w: StandIn) => w as unknown as ModelWorker;
const need = { dense: true, sparse: false, colbert: false };

/** A start function handing out the given results in turn: a StandIn, or an Error to reject with. */
function starts(results: (StandIn | Error)[]) {
  let calls = 0;
  let release!: () => void;
  let gate = Promise.resolve();
  return {
    get calls() {
      return calls;
    },
    hold() {
      gate = new Promise<void>((r) => (release = r));
    },
    open() {
      release();
    },
    start: async () => {
      const r = results[calls++];
      await gate;
      if (r instanceof Error) throw r;
      return asWorker(r);
    },
  };
}

function statuses() {
  const seen: WorkerStatus[] = [];
  let wake: (() => void) | undefined;
  return {
    seen,
    notify: (s: WorkerStatus) => {
      seen.push(s);
      wake?.();
    },
    async until(pred: (s: WorkerStatus) => boolean): Promise<WorkerStatus> {
      for (;;) {
        const hit = seen.find(pred);
        if (hit) return hit;
        await new Promise<void>((r) => (wake = r));
      }
    },
  };
}

describe('WorkerSupervisor', () => {
  it('restarts a dead worker; batches sent during the restart wait for the new one', async () => {
    const first = new StandIn('first');
    const second = new StandIn('second');
    const s = starts([second]);
    const st = statuses();
    const sup = new WorkerSupervisor(asWorker(first), s.start, 2, st.notify);
    await sup.run([[0, 2]], need);
    assert.equal(first.runs, 1);

    s.hold();
    first.kill('The model worker exited (code 9).');
    await st.until((x) => x.state === 'restarting');
    assert.deepEqual(sup.current, { state: 'restarting', restarts: 1, maxRestarts: 2, message: 'The model worker exited (code 9).' });
    const waiting = sup.run([[0, 2]], need);
    s.open();
    await waiting;
    assert.equal(second.runs, 1, 'the batch sent during the restart ran on the new worker');
    assert.equal(first.runs, 1);
    assert.equal(sup.current.state, 'alive');
  });

  it('a failed start spends an attempt; with the budget spent the model is defunct and batches fail with the reason', async () => {
    const first = new StandIn('first');
    const s = starts([new Error('out of memory')]);
    const st = statuses();
    const sup = new WorkerSupervisor(asWorker(first), s.start, 1, st.notify);
    s.hold();
    first.kill('The model worker crashed: boom');
    await st.until((x) => x.state === 'restarting');
    const waiting = sup.run([[0, 2]], need);
    s.open();
    await assert.rejects(waiting, /The model worker died and a new one failed to start: out of memory/);
    const defunct = await st.until((x) => x.state === 'defunct');
    assert.equal(s.calls, 1);
    assert.equal(defunct.restarts, 1);
    assert.match(defunct.message!, /crashed: boom.*Starting a new worker failed: out of memory/);
    await assert.rejects(sup.run([[0, 2]], need), /The model is defunct: .*all 1 restarts are spent \(BGE_M3_WORKER_RESTARTS\)/);
  });

  it('with no restarts allowed, the first death makes it defunct without starting anything', async () => {
    const first = new StandIn('first');
    const s = starts([]);
    const st = statuses();
    const sup = new WorkerSupervisor(asWorker(first), s.start, 0, st.notify);
    first.kill('The model worker exited (code 1).');
    await st.until((x) => x.state === 'defunct');
    assert.equal(s.calls, 0);
    await assert.rejects(sup.run([[0, 2]], need), /restarts are off/);
  });

  it("the budget counts over the process's life, not per incident", async () => {
    const workers = [new StandIn('a'), new StandIn('b'), new StandIn('c')];
    const s = starts(workers.slice(1));
    const st = statuses();
    new WorkerSupervisor(asWorker(workers[0]), s.start, 2, st.notify);
    workers[0].kill('one');
    await st.until((x) => x.state === 'alive' && x.restarts === 1);
    workers[1].kill('two');
    await st.until((x) => x.state === 'alive' && x.restarts === 2);
    workers[2].kill('three');
    const last = await st.until((x) => x.state === 'defunct');
    assert.equal(last.message, 'three');
    assert.equal(s.calls, 2);
  });

  it("release() during a restart releases the new worker too, and a released worker's exit is no death", async () => {
    const first = new StandIn('first');
    const second = new StandIn('second');
    const s = starts([second]);
    const st = statuses();
    const sup = new WorkerSupervisor(asWorker(first), s.start, 3, st.notify);
    s.hold();
    first.kill('gone');
    await st.until((x) => x.state === 'restarting');
    const released = sup.release();
    s.open();
    await released;
    assert.equal(second.released, true);
    second.kill('after release');
    await new Promise((r) => setImmediate(r));
    assert.ok(
      st.seen.every((x) => x.state !== 'defunct'),
      JSON.stringify(st.seen),
    );
  });
});
