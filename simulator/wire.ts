/** Wire helpers: replies and API errors, lenient JSON access, timestamps. */

export interface Reply {
  status: number;
  /** undefined → empty body */
  body?: unknown;
}

/** Thrown by handlers to answer with a specific reply. */
export class ApiError extends Error {
  constructor(readonly reply: Reply) {
    super(`Autotask simulator reply ${reply.status}`);
  }
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const errorReply = (status: number, message: string): Reply => ({ status, body: { errors: [message] } });
export const fail = (status: number, message: string): never => {
  throw new ApiError(errorReply(status, message));
};
/** One answer listing every problem, as the API reports several validation errors at once. */
export const failAll = (status: number, messages: string[]): never => {
  throw new ApiError({ status, body: { errors: [...new Set(messages)] } });
};
export const NOT_FOUND: Reply = { status: 404, body: { message: 'Not Found' } };
export const methodNotAllowed = (method: string): Reply => ({
  status: 405,
  body: { Message: `The requested resource does not support http method '${method}'.` },
});
const PARSE_ERROR = 'Unexpected character encountered while parsing value';

export const threadLimitReply = (limit: number): Reply =>
  errorReply(429, `API thread threshold of ${limit} threads has been exceeded. (Itgenatr005)`);

/** Object property lookup ignoring case, because Autotask accepts `Filter`, `filter`, `MaxRecords`, `maxRecords`... */
export function getKey(obj: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(obj)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fail(500, PARSE_ERROR);
  }
}

/** ISO-8601 UTC with 0–3 fractional digits, like the real API ("…45.2Z", "…00Z"). */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

/** Strictly increasing epoch ms, so an incremental sync using `gt <last change>` never misses two edits in the same millisecond. */
export function monotonicClock(): () => number {
  let last = 0;
  return () => (last = Math.max(Date.now(), last + 1));
}

/** Autotask treats datetimes without a zone designator as UTC. */
export function parseInstant(text: string): number | undefined {
  const hasZone = /(z|[+-]\d\d:?\d\d)$/i.test(text.trim());
  const ms = Date.parse(hasZone || !text.includes('T') ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Unref'd: a simulated minute-long answer must not keep a finished test process alive. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
