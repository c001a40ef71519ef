/**
 * The items of an application's readiness checklist, in the order shown.
 *
 * @public
 */
export const READINESS_ITEM_IDS = [
  'owner',
  'image-annotation',
  'health',
  'api-docs',
  'techdocs',
  'runbook',
  'secrets',
] as const;

/** The id of a readiness checklist item. @public */
export type ReadinessItemId = (typeof READINESS_ITEM_IDS)[number];

/**
 * `ok` (in place), `missing` (a gap to fix), `unknown` (could not be told:
 * never checked, or a cluster that could not be read).
 *
 * @public
 */
export type ReadinessStatus = 'ok' | 'missing' | 'unknown';

/** One item of the readiness checklist. @public */
export type ReadinessItem = {
  id: ReadinessItemId;
  title: string;
  status: ReadinessStatus;
  /** What was found, naming what is missing (environments, Secrets, …). */
  detail: string;
  /** Where to fix a gap: the entity's catalog-info.yaml or a docs page. */
  fix?: { title: string; url: string };
};

/**
 * `GET /entities/{kind}/{namespace}/{name}/readiness`: whether an
 * application is ready to deploy and run, item by item.
 *
 * @public
 */
export type EntityReadiness = {
  entityRef: string;
  /** Items `ok` out of all items. */
  score: { passed: number; total: number };
  items: ReadinessItem[];
};
