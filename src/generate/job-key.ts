/**
 * A key for "the same generation job": a SHA-256 over everything that shapes the output, so a
 * run cut short resumes only into a job whose frames would come out the same. Typed arrays are
 * hashed by their bytes; other values by their JSON; object keys in sorted order.
 */
export async function jobKey(value: unknown): Promise<string> {
  const parts: Uint8Array[] = [];
  const text = new TextEncoder();
  const walk = (v: unknown): void => {
    if (ArrayBuffer.isView(v)) {
      parts.push(text.encode(`<${v.constructor.name}:${v.byteLength}>`));
      parts.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    } else if (Array.isArray(v)) {
      parts.push(text.encode('['));
      v.forEach(walk);
      parts.push(text.encode(']'));
    } else if (v !== null && typeof v === 'object') {
      parts.push(text.encode('{'));
      for (const k of Object.keys(v).sort()) {
        parts.push(text.encode(`${JSON.stringify(k)}:`));
        walk((v as Record<string, unknown>)[k]);
      }
      parts.push(text.encode('}'));
    } else {
      parts.push(text.encode(`${JSON.stringify(v ?? null)},`));
    }
  };
  walk(value);
  const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
}
