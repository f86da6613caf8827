// Liveness for load balancers and orchestrators: the web process answers. It asks no dependency, so a
// database outage does not get every web process restarted (that is what /readyz is for).
export function loader() {
  return Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
}
