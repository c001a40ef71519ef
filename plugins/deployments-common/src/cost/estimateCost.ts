import { quantityValue } from '../model/kubernetes';

/** Hours in a month for estimates (365 × 24 / 12, as cloud price lists use). @public */
export const HOURS_PER_MONTH = 730;

/**
 * The prices of one environment (`deployments.environments.<env>.cost`):
 * per CPU-hour and per GiB-hour of memory, in `currency`, applied to the
 * requests or the limits of each replica.
 *
 * @public
 */
export type CostPrices = {
  /** ISO 4217 code, e.g. `EUR`. */
  currency: string;
  /** Price of one CPU core for one hour. */
  cpuHour: number;
  /** Price of one GiB (2^30 bytes) of memory for one hour. */
  gibHour: number;
  /** Which resources are priced. */
  basis: 'requests' | 'limits';
};

/**
 * A monthly estimate of a deployment: `monthly` at its replicas (with
 * autoscaling: at `minReplicas`), `monthlyMax` at `maxReplicas` when
 * autoscaling can scale it higher. Amounts are rounded to cents.
 *
 * @public
 */
export type CostEstimate = {
  currency: string;
  basis: 'requests' | 'limits';
  /** One replica for a month. */
  perReplica: number;
  /** Replicas priced (with autoscaling: its minimum). */
  replicas: number;
  monthly: number;
  /** With autoscaling: the maximum replicas and their monthly price. */
  maxReplicas?: number;
  monthlyMax?: number;
};

/** What an estimate needs of a deployment request. @public */
export type CostedRequest = {
  replicas: number;
  resources: {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
  };
  autoscaling?: { minReplicas: number; maxReplicas: number };
};

/** Prices in millionths of a currency unit: 6 decimals are kept. */
const PRICE_SCALE = 1_000_000;
const GIB = 2 ** 30;

/**
 * Exact arithmetic: CPU in millicores and memory in bytes are integers, the
 * prices integers of millionths; the sum is a BigInt and only the final
 * amount is rounded (half up) to cents, so no float drift creeps in.
 * Returns the monthly price of one replica in cents as a fraction
 * numerator / denominator.
 */
function replicaMonthly(
  resources: { cpu: string; memory: string },
  prices: CostPrices,
): { numerator: bigint; denominator: bigint } {
  const cores = quantityValue(resources.cpu);
  const bytes = quantityValue(resources.memory);
  if (cores === undefined || cores < 0) {
    throw new Error(`cpu ${resources.cpu} is not a Kubernetes quantity`);
  }
  if (bytes === undefined || bytes < 0) {
    throw new Error(`memory ${resources.memory} is not a Kubernetes quantity`);
  }
  // Kubernetes keeps CPU to the millicore and memory to the byte.
  const millicores = BigInt(Math.round(cores * 1000));
  const byteCount = BigInt(Math.round(bytes));
  const cpuPrice = BigInt(Math.round(prices.cpuHour * PRICE_SCALE));
  const gibPrice = BigInt(Math.round(prices.gibHour * PRICE_SCALE));
  const gib = BigInt(GIB);
  // per hour, in millionths: millicores/1000 × cpuPrice + bytes/2^30 × gibPrice
  const numerator =
    (millicores * cpuPrice * gib + byteCount * gibPrice * BigInt(1000)) *
    BigInt(HOURS_PER_MONTH) *
    BigInt(100);
  const denominator = BigInt(1000) * gib * BigInt(PRICE_SCALE);
  return { numerator, denominator };
}

/** numerator / denominator rounded half up, as a number of cents → units. */
function toAmount(numerator: bigint, denominator: bigint): number {
  const cents =
    (numerator * BigInt(2) + denominator) / (denominator * BigInt(2));
  return Number(cents) / 100;
}

/**
 * The monthly estimate of a deployment: replicas × (CPU × price per
 * CPU-hour + GiB × price per GiB-hour) × 730 hours, of its requests or
 * limits as `prices.basis` says. Throws on a quantity that is not one (a
 * validated request never has such).
 *
 * @public
 */
export function estimateMonthlyCost(
  request: CostedRequest,
  prices: CostPrices,
): CostEstimate {
  const { numerator, denominator } = replicaMonthly(
    request.resources[prices.basis],
    prices,
  );
  const min = request.autoscaling?.minReplicas ?? request.replicas;
  const max = request.autoscaling?.maxReplicas ?? min;
  return {
    currency: prices.currency,
    basis: prices.basis,
    perReplica: toAmount(numerator, denominator),
    replicas: min,
    monthly: toAmount(numerator * BigInt(min), denominator),
    ...(max > min
      ? {
          maxReplicas: max,
          monthlyMax: toAmount(numerator * BigInt(max), denominator),
        }
      : {}),
  };
}

/** The highest monthly amount an estimate allows (autoscaling's maximum). @public */
export function highestMonthly(estimate: CostEstimate): number {
  return estimate.monthlyMax ?? estimate.monthly;
}

/** Sum of amounts, in cents so that it does not drift. @public */
export function sumAmounts(amounts: readonly number[]): number {
  return (
    amounts.reduce((cents, amount) => cents + Math.round(amount * 100), 0) / 100
  );
}

/**
 * An amount of money as people read it, e.g. `€12.40` or `-€3.05`;
 * `signed` adds a `+` to positive amounts.
 *
 * @public
 */
export function formatMoney(
  amount: number,
  currency: string,
  options: { signed?: boolean } = {},
): string {
  const text = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(amount);
  return options.signed && Math.round(amount * 100) > 0 ? `+${text}` : text;
}

/**
 * An estimate as one line: `€24.82/month` or, with autoscaling,
 * `€24.82–€74.46/month (2–6 replicas)`.
 *
 * @public
 */
export function formatMonthly(estimate: CostEstimate): string {
  const low = formatMoney(estimate.monthly, estimate.currency);
  if (estimate.monthlyMax === undefined) {
    return `${low}/month`;
  }
  return `${low}–${formatMoney(
    estimate.monthlyMax,
    estimate.currency,
  )}/month (${estimate.replicas}–${estimate.maxReplicas} replicas)`;
}

/**
 * How a change moves the monthly estimate of a deployment: against what runs
 * now (`running`), or new when nothing runs.
 *
 * @public
 */
export type CostChange = {
  estimate: CostEstimate;
  /** What runs now, priced the same way; absent when nothing runs. */
  running?: CostEstimate;
  /** estimate.monthly − running.monthly (0 when nothing runs). */
  monthlyDelta: number;
  /** With autoscaling on either side: the difference of the maxima. */
  monthlyMaxDelta?: number;
};

/** The change of the estimate from what runs to what is asked. @public */
export function costChange(
  estimate: CostEstimate,
  running?: CostEstimate,
): CostChange {
  if (!running) {
    return { estimate, monthlyDelta: 0 };
  }
  const delta = (a: number, b: number) =>
    (Math.round(a * 100) - Math.round(b * 100)) / 100;
  const autoscaled =
    estimate.monthlyMax !== undefined || running.monthlyMax !== undefined;
  return {
    estimate,
    running,
    monthlyDelta: delta(estimate.monthly, running.monthly),
    ...(autoscaled
      ? {
          monthlyMaxDelta: delta(
            highestMonthly(estimate),
            highestMonthly(running),
          ),
        }
      : {}),
  };
}

/**
 * A change of the estimate as one line: `new: €24.82/month`, `+€12.40/month`
 * (`-€3.05/month`, `no change`), with autoscaling the change at the maximum
 * too.
 *
 * @public
 */
export function formatCostChange(change: CostChange): string {
  const { currency } = change.estimate;
  if (!change.running) {
    return `new: ${formatMonthly(change.estimate)}`;
  }
  const signed = (amount: number) =>
    Math.round(amount * 100) === 0
      ? 'no change'
      : `${formatMoney(amount, currency, { signed: true })}/month`;
  const main = signed(change.monthlyDelta);
  if (
    change.monthlyMaxDelta === undefined ||
    Math.round(change.monthlyMaxDelta * 100) ===
      Math.round(change.monthlyDelta * 100)
  ) {
    return main;
  }
  return `${main} (at the most replicas: ${signed(change.monthlyMaxDelta)})`;
}
