/**
 * Body checks for the roadmap's health endpoints (pure): liveness says ok, readiness and the
 * detailed report say every component is ok. Returns why a body fails, or undefined.
 */

type Json = Record<string, unknown>;

function parse(body: string): Json | string {
  try {
    const value = JSON.parse(body) as unknown;
    return value && typeof value === 'object' ? (value as Json) : 'the body is not a JSON object';
  } catch {
    return 'the body is not JSON';
  }
}

function failingComponents(json: Json): string[] {
  const components = json.components;
  if (!components || typeof components !== 'object') return ['(no "components" object)'];
  return Object.entries(components as Record<string, { status?: unknown }>)
    .filter(([, c]) => c?.status !== 'ok')
    .map(([name, c]) => `${name} is ${JSON.stringify(c?.status)}`);
}

export function checkHealthBody(path: string, status: number, body: string): string | undefined {
  const components = path === '/health/ready' || path === '/health/detailed';
  // Other endpoints a user lists are only expected to answer 2xx.
  if (!components && path !== '/health') return status >= 200 && status < 300 ? undefined : `HTTP ${status}`;
  const json = parse(body);
  if (status !== 200) {
    const failing = typeof json === 'object' && components ? failingComponents(json) : [];
    return `HTTP ${status}${failing.length ? `: components not ok: ${failing.join(', ')}` : ''}`;
  }
  if (typeof json === 'string') return json;
  if (!components)
    return json.status === 'ok' ? undefined : `status is ${JSON.stringify(json.status)}, expected "ok"`;
  const expected = path === '/health/ready' ? 'ready' : 'ok';
  if (json.status !== expected) return `status is ${JSON.stringify(json.status)}, expected "${expected}"`;
  const failing = failingComponents(json);
  return failing.length ? `components not ok: ${failing.join(', ')}` : undefined;
}
