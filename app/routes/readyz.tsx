import { dependencyChecks, readiness, readinessResponse } from "~/infra/health.server";
import { pingQueueRedis } from "~/infra/queue.server";

// Readiness: the database, Redis and the file store each answered within 2 s (200), or 503 with the
// ones that did not, and why. Take a web process out of rotation on 503; do not restart it for one.
export async function loader() {
  return readinessResponse(await readiness(dependencyChecks(pingQueueRedis)));
}
