/**
 * Whether an `Authorization` header carries the expected bearer secret, compared in constant
 * time: both sides are hashed first (equal lengths, and the secret's length does not leak), then
 * compared with workerd's `crypto.subtle.timingSafeEqual`, or a full XOR pass where it is absent.
 */
export async function bearerMatches(header: string | null, secret: string): Promise<boolean> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  const given = m?.[1] ?? "";
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([given, secret].map((s) => crypto.subtle.digest("SHA-256", encoder.encode(s))));
  const subtle = crypto.subtle as typeof crypto.subtle & { timingSafeEqual?: (a: ArrayBuffer, b: ArrayBuffer) => boolean };
  const same = typeof subtle.timingSafeEqual === "function" ? subtle.timingSafeEqual(a!, b!) : xorEqual(new Uint8Array(a!), new Uint8Array(b!));
  return m !== null && secret.length > 0 && same;
}

function xorEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ (b[i] ?? 0);
  return diff === 0;
}
