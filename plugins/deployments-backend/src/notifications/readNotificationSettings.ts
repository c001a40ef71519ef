import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';

/** What a webhook's body looks like: a chat tool's message or the plain event. */
export type WebhookFormat =
  | 'json'
  | 'slack'
  | 'discord'
  | 'teams'
  | 'googlechat';

export const WEBHOOK_FORMATS: ReadonlyArray<WebhookFormat> = [
  'json',
  'slack',
  'discord',
  'teams',
  'googlechat',
];

/** One configured webhook. `url` is a secret: it never leaves this process. */
export type WebhookTarget = {
  /** For logs and the audit trail, in place of the URL. */
  name: string;
  url: string;
  format: WebhookFormat;
  /** Only events of these environments; all when absent. */
  environments?: string[];
  /** Only events of applications these groups own (full refs); all when absent. */
  teams?: string[];
};

/** How hard delivery tries before a message counts as lost. */
export type DeliverySettings = {
  /** One attempt's time limit. */
  attemptTimeoutMs: number;
  /** All attempts of one message together, waits included. */
  maxDurationMs: number;
  /** The wait before the first retry; doubled per retry (with jitter). */
  initialBackoffMs: number;
  /** The longest wait between two attempts (unless Retry-After asks for more). */
  maxBackoffMs: number;
};

export type NotificationSettings = {
  webhooks: WebhookTarget[];
  delivery: DeliverySettings;
  /** The app's address (`app.baseUrl`), so chat links are absolute. */
  appBaseUrl?: string;
};

const KEY = 'deployments.notifications';

/**
 * Reads `deployments.notifications`: the webhooks (the list, plus the older
 * single `webhookUrl` as a `json` webhook named `default`) and how delivery
 * retries. A mistake is an error naming the key and how to fix it; no
 * message quotes a URL, which carries the webhook's token.
 */
export function readNotificationSettings(config: Config): NotificationSettings {
  const webhooks: WebhookTarget[] = [];
  const legacyUrl = config.getOptionalString(`${KEY}.webhookUrl`);
  if (legacyUrl) {
    webhooks.push({
      name: 'default',
      url: checkedUrl(legacyUrl, `${KEY}.webhookUrl`),
      format: 'json',
    });
  }
  const listed = config.getOptionalConfigArray(`${KEY}.webhooks`) ?? [];
  listed.forEach((webhook, index) => {
    const key = `${KEY}.webhooks[${index}]`;
    const name = webhook.getOptionalString('name') ?? `webhook-${index + 1}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) {
      throw new Error(
        `${key}.name must be a short name (letters, digits, '.', '_', '-', at most 63 characters), e.g. payments-slack`,
      );
    }
    if (webhooks.some(w => w.name === name)) {
      throw new Error(
        `${key}.name '${name}' is used by another webhook; give each webhook its own name`,
      );
    }
    const format = (webhook.getOptionalString('format') ??
      'json') as WebhookFormat;
    if (!WEBHOOK_FORMATS.includes(format)) {
      throw new Error(
        `${key}.format '${format}' is not a format; use one of ${WEBHOOK_FORMATS.join(
          ', ',
        )}`,
      );
    }
    const environments = webhook.getOptionalStringArray('environments');
    const teams = webhook.getOptionalStringArray('teams')?.map(team => {
      try {
        return stringifyEntityRef(
          parseEntityRef(team, {
            defaultKind: 'group',
            defaultNamespace: 'default',
          }),
        );
      } catch {
        throw new Error(
          `${key}.teams: '${team}' is not a group, e.g. team-payments or group:default/team-payments`,
        );
      }
    });
    webhooks.push({
      name,
      url: checkedUrl(webhook.getString('url'), `${key}.url`),
      format,
      ...(environments ? { environments } : {}),
      ...(teams ? { teams } : {}),
    });
  });

  const seconds = (name: string, fallback: number) => {
    const value = config.getOptionalNumber(`${KEY}.delivery.${name}`);
    if (value === undefined) return fallback * 1000;
    if (!(value > 0) || value > 86_400) {
      throw new Error(
        `${KEY}.delivery.${name} must be a number of seconds above 0 and at most 86400, got ${value}`,
      );
    }
    return Math.round(value * 1000);
  };
  const delivery: DeliverySettings = {
    attemptTimeoutMs: seconds('attemptTimeoutSeconds', 5),
    maxDurationMs: seconds('maxDurationSeconds', 120),
    initialBackoffMs: seconds('initialBackoffSeconds', 1),
    maxBackoffMs: seconds('maxBackoffSeconds', 30),
  };
  return {
    webhooks,
    delivery,
    appBaseUrl: config.getOptionalString('app.baseUrl')?.replace(/\/+$/, ''),
  };
}

function checkedUrl(url: string, key: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (
    !parsed ||
    (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
  ) {
    // Not quoted: a webhook URL carries its token.
    throw new Error(
      `${key} is not an http(s) URL; paste the chat's incoming webhook URL, e.g. https://hooks.slack.com/services/…`,
    );
  }
  return url;
}
