import { check, checkPublishedOnce, outcome, SQLITE, type Scenario } from "../scenario.ts";
import { TIMINGS } from "../stack.ts";

/** Exit within the deadline, with a little for closing connections. */
const ALLOWED_MS = (TIMINGS.WORKER_SHUTDOWN_SECONDS + 2) * 1000;
/** An orchestrator's grace period: after it the process is killed, as Kubernetes would. */
const GRACE_MS = 10_000;

export const scenario: Scenario = {
  id: 10,
  fault: `SIGTERM the worker during a long publish (its media held PROCESSING); WORKER_SHUTDOWN_SECONDS=${TIMINGS.WORKER_SHUTDOWN_SECONDS}, SIGKILL after a ${GRACE_MS / 1000} s grace period; then a fresh worker`,
  expected: "the process exits within its deadline, and the publish completes later with no duplicate",
  databases: SQLITE,
  async run(ctx) {
    const { chaos } = ctx;
    const client = await ctx.shop();
    const [product] = ctx.products(client);
    const { jobId, outputIds } = await ctx.doneJob(client, product);
    const before = ctx.productMedia(client, product.id).length;
    const processing = chaos.emulator.faults.holdProcessing(client.shop);
    const log = chaos.emulator.faults.attached.length;
    let exitedInMs: number | null;
    try {
      await ctx.publish(client, jobId, outputIds);
      await ctx.waitForAttach(client, product.id, log);
      const [worker] = chaos.liveWorkers();
      exitedInMs = await chaos.signal(worker.child, "SIGTERM", GRACE_MS);
      if (exitedInMs === null) await chaos.signal(worker.child, "SIGKILL");
    } finally {
      processing.release();
    }
    await chaos.fastForwardStalls();
    await chaos.startWorker();
    const { settled } = await ctx.settle(client, jobId, 30_000);
    return outcome([
      check(
        exitedInMs !== null && exitedInMs <= ALLOWED_MS,
        exitedInMs === null
          ? `still running ${GRACE_MS / 1000} s after SIGTERM (killed)`
          : `exited ${(exitedInMs / 1000).toFixed(1)} s after SIGTERM`,
      ),
      check(settled, settled ? "the publish completed later" : "the page still polls 30 s after a fresh worker started"),
      ...(await checkPublishedOnce(ctx, client, jobId, product.id, before, outputIds)),
    ]);
  },
};
