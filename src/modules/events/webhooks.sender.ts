import type { AttemptResult, SignedRequest } from './webhooks.domain.ts';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

const isTimeout = (e: unknown): boolean => e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');

/** The most telling message of a fetch failure: undici wraps the socket error as `cause`. */
const networkMessage = (e: unknown): string => {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.message) return cause.message;
  return e instanceof Error ? e.message : String(e);
};

/** Reads at most `limit` characters of an error body for `last_error`, then lets the socket go. */
const readSnippet = async (res: Response, limit = 1024): Promise<string> => {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body that breaks off mid-way still leaves the status code, which is what matters.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text.slice(0, limit);
};

/**
 * One POST of a signed webhook. Redirects are not followed (a signed request must not be replayed
 * to wherever a 3xx points), and the whole exchange is bounded by `timeoutMs`.
 */
export const postWebhook = async (fetchFn: FetchLike, url: string, req: SignedRequest, timeoutMs: number): Promise<AttemptResult> => {
  try {
    const res = await fetchFn(url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel().catch(() => undefined);
      return { kind: 'response', status: res.status, body: '' };
    }
    return { kind: 'response', status: res.status, body: await readSnippet(res) };
  } catch (e) {
    if (isTimeout(e)) return { kind: 'timeout', afterMs: timeoutMs };
    return { kind: 'network', message: networkMessage(e) };
  }
};
