/** The endpoint override (tests, the local sandbox): `http://127.0.0.1:3000` → protocol and host. */
export function splitEndpoint(url: string): { protocol: 'http' | 'https'; host: string } {
  const u = new URL(url);
  return { protocol: u.protocol === 'http:' ? 'http' : 'https', host: u.host };
}
