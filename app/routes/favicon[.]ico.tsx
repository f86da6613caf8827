// The admin shows the app's icon itself; answering here keeps browsers' automatic request quiet.
export async function loader() {
  return new Response(null, { status: 204, headers: { "cache-control": "public, max-age=86400" } });
}
