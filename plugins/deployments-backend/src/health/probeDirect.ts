import { Check, CheckContext, ProbeOutcome } from './checkTypes';
import { describeNetworkError, httpGet } from './httpGet';
import { joinUrl, probeContract, unreachableContract } from './probeContract';
import { redact, withoutCredentials } from './redact';
import { TargetRefusedError } from './TargetGuard';
import { untilAborted } from './untilAborted';

/**
 * The backend calls the target URL `raw` itself, after the TargetGuard
 * checked where it goes; `source` names where the URL came from, for the
 * error when it is not one. A target that did not answer within the same
 * budget a moment ago is reported unreachable at once (unless `refresh`).
 */
export async function probeDirect(
  context: CheckContext,
  check: Check,
  raw: string,
  source: string,
): Promise<ProbeOutcome> {
  const { signal, budgetMs } = check;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return {
      probeError: `The ${source} '${withoutCredentials(
        raw,
      )}' is not a URL; expected a base URL such as https://payments-{{ environment }}.acme.internal`,
    };
  }
  const target = redact(url);
  // Per target (the whole base URL), so one entity's slow service never
  // makes another's on the same host read as unreachable.
  const memoryKey = `target:${target}:${budgetMs}`;
  const since = check.refresh
    ? undefined
    : await context.unreachable.recall(memoryKey);
  if (since) {
    return {
      target,
      probes: unreachableContract(
        target,
        `no answer within ${budgetMs} ms (${context.unreachable.describe(
          since,
        )})`,
      ),
    };
  }
  let addresses;
  try {
    addresses = await untilAborted(context.guard.check(url), signal);
  } catch (error) {
    if (error instanceof TargetRefusedError) {
      return { target, probeError: `Not probed: ${error.message}` };
    }
    if (signal.aborted) {
      context.unreachable.remember(memoryKey);
    }
    return {
      target,
      probes: unreachableContract(
        target,
        describeNetworkError(error, { signal, budgetMs }),
      ),
    };
  }
  const agent =
    url.protocol === 'https:' ? context.agents.https : context.agents.http;
  const probes = await probeContract({
    environment: check.environment.name,
    displayUrl: target,
    fetch: (path, s) =>
      httpGet(new URL(joinUrl(url.toString(), path)), {
        signal: s,
        addresses,
        agent,
      }),
    limiter: context.limiter,
    signal,
    budgetMs,
  });
  const results = [probes.liveness, probes.readiness, probes.info];
  if (signal.aborted && results.every(r => r.status === 'unreachable')) {
    context.unreachable.remember(memoryKey);
  } else if (results.some(r => r.status !== 'unreachable')) {
    context.unreachable.forget(memoryKey);
  }
  return { target, probes };
}
