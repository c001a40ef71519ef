import type { DeploymentEventPayload } from '../approvals/Notifier';
import { WebhookFormat } from './readNotificationSettings';

/** An event with what a chat message says besides it. */
export type Announcement = {
  /** The plain event: the `json` format's body, unchanged. */
  event: DeploymentEventPayload;
  title: string;
  /** The cluster of the event's environment, when known. */
  cluster?: string;
  /** The owning group, when known. */
  owner?: string;
  /** The ticket of the change (an http(s) URL). */
  changeReference?: string;
  /** The change's id (`GET /changes/{id}`). */
  changeId?: string;
  /** Where to look: absolute when `app.baseUrl` is configured. */
  links: { deployments?: string; approval?: string; page?: string };
};

type Fact = { name: string; value: string; link?: string };
type Link = { title: string; url: string };

const RESULT_COLOURS = {
  good: { hex: '2EB67D', int: 0x2eb67d, teams: 'Good', emoji: '✅' },
  bad: { hex: 'E01E5A', int: 0xe01e5a, teams: 'Attention', emoji: '❌' },
  waiting: { hex: 'ECB22E', int: 0xecb22e, teams: 'Warning', emoji: '⏳' },
  neutral: { hex: '1D9BD1', int: 0x1d9bd1, teams: 'Default', emoji: 'ℹ️' },
} as const;

function tone(event: DeploymentEventPayload): keyof typeof RESULT_COLOURS {
  switch (event.event) {
    case 'deployed':
    case 'approved':
      return 'good';
    case 'failed':
    case 'rolled-back':
    case 'rejected':
    case 'drift':
      return 'bad';
    case 'approval-requested':
      return 'waiting';
    case 'health':
      return event.comment === 'healthy' ? 'good' : 'bad';
    default:
      return 'neutral';
  }
}

/** What the event says in the facts every chat message shows. */
function facts(a: Announcement): Fact[] {
  const { event } = a;
  const where = [
    event.environment,
    a.cluster && `cluster ${a.cluster}`,
    event.namespace && `namespace ${event.namespace}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const version =
    event.fromVersion &&
    event.toVersion &&
    event.fromVersion !== event.toVersion
      ? `${event.fromVersion} → ${event.toVersion}`
      : event.toVersion;
  const list: Fact[] = [
    { name: 'Application', value: event.entityRef },
    { name: 'Where', value: where },
    {
      name: 'What',
      value: `${event.action}${
        event.revision ? ` (revision ${event.revision})` : ''
      }`,
    },
  ];
  if (version) list.push({ name: 'Version', value: version });
  list.push({ name: 'Requested by', value: event.requester });
  if (event.actor) list.push({ name: 'Decided by', value: event.actor });
  list.push({ name: 'Result', value: event.event });
  if (a.changeReference) {
    list.push({
      name: 'Change',
      value: a.changeReference,
      link: a.changeReference,
    });
  }
  return list;
}

function links(a: Announcement): Link[] {
  const list: Link[] = [];
  if (a.links.deployments) {
    list.push({ title: 'Deployments tab', url: a.links.deployments });
  }
  if (a.links.approval) {
    list.push({ title: 'Approval request', url: a.links.approval });
  }
  if (
    a.links.page &&
    a.links.page !== a.links.deployments &&
    a.links.page !== a.links.approval
  ) {
    list.push({ title: 'Open in the portal', url: a.links.page });
  }
  if (a.changeReference) {
    list.push({ title: 'Change ticket', url: a.changeReference });
  }
  // Chat tools take absolute http(s) links only (a relative one fails the message).
  return list.filter(link => /^https?:\/\//i.test(link.url));
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Slack mrkdwn: `&`, `<` and `>` are control characters. */
function slackEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * A Slack incoming webhook's message: `text` (the notification's fallback)
 * and Block Kit `blocks`: a header (plain text, ≤150), the message
 * (mrkdwn, ≤3000), the facts as section fields (≤10, each ≤2000) and the
 * links as buttons.
 */
function slackMessage(a: Announcement) {
  const colour = RESULT_COLOURS[tone(a.event)];
  const fields = facts(a)
    .slice(0, 10)
    .map(fact => ({
      type: 'mrkdwn',
      text: clip(
        `*${fact.name}*\n${
          fact.link
            ? `<${fact.link}|${slackEscape(fact.value)}>`
            : slackEscape(fact.value)
        }`,
        2000,
      ),
    }));
  const buttons = links(a).map(link => ({
    type: 'button',
    text: { type: 'plain_text', text: link.title },
    url: clip(link.url, 3000),
  }));
  return {
    text: clip(
      `${colour.emoji} ${slackEscape(a.title)}: ${slackEscape(
        a.event.message ?? '',
      )}`,
      3000,
    ),
    blocks: [
      {
        type: 'header',
        text: {
          type: 'plain_text',
          text: clip(`${colour.emoji} ${a.title}`, 150),
        },
      },
      ...(a.event.message
        ? [
            {
              type: 'section',
              text: {
                type: 'mrkdwn',
                text: clip(slackEscape(a.event.message), 3000),
              },
            },
          ]
        : []),
      { type: 'section', fields },
      ...(buttons.length > 0
        ? [{ type: 'actions', elements: buttons.slice(0, 25) }]
        : []),
    ],
  };
}

/**
 * A Discord webhook's message: `content` (≤2000) and one embed (title
 * ≤256, description ≤4096, ≤25 fields of ≤1024), mentions switched off so
 * that a name in a message never pings anyone.
 */
function discordMessage(a: Announcement) {
  const colour = RESULT_COLOURS[tone(a.event)];
  const linkList = links(a);
  return {
    content: clip(`${colour.emoji} **${a.title}**`, 2000),
    embeds: [
      {
        title: clip(a.title, 256),
        ...(linkList[0] ? { url: linkList[0].url } : {}),
        description: clip(
          [
            a.event.message ?? '',
            linkList.map(link => `[${link.title}](${link.url})`).join(' · '),
          ]
            .filter(Boolean)
            .join('\n\n'),
          4096,
        ),
        color: colour.int,
        timestamp: a.event.at,
        fields: facts(a)
          .slice(0, 25)
          .map(fact => ({
            name: clip(fact.name, 256),
            value: clip(fact.value || '-', 1024),
            inline: fact.name !== 'Application' && fact.name !== 'Change',
          })),
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

/**
 * A Microsoft Teams incoming webhook's (Workflows) message: one Adaptive
 * Card (1.4) as the attachment of a `message`, the facts as a FactSet and
 * the links as Action.OpenUrl.
 */
function teamsMessage(a: Announcement) {
  const colour = RESULT_COLOURS[tone(a.event)];
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              text: a.title,
              weight: 'Bolder',
              size: 'Medium',
              color: colour.teams,
              wrap: true,
            },
            ...(a.event.message
              ? [{ type: 'TextBlock', text: a.event.message, wrap: true }]
              : []),
            {
              type: 'FactSet',
              facts: facts(a).map(fact => ({
                title: fact.name,
                value: fact.link ? `[${fact.value}](${fact.link})` : fact.value,
              })),
            },
          ],
          actions: links(a).map(link => ({
            type: 'Action.OpenUrl',
            title: link.title,
            url: link.url,
          })),
        },
      },
    ],
  };
}

/** A Google Chat incoming webhook's text message (`*bold*`, `<url|text>`). */
function googleChatMessage(a: Announcement) {
  const colour = RESULT_COLOURS[tone(a.event)];
  const lines = [
    `${colour.emoji} *${a.title}*`,
    ...(a.event.message ? [a.event.message] : []),
    ...facts(a).map(
      fact =>
        `*${fact.name}:* ${
          fact.link ? `<${fact.link}|${fact.value}>` : fact.value
        }`,
    ),
  ];
  const linkList = links(a);
  if (linkList.length > 0) {
    lines.push(linkList.map(link => `<${link.url}|${link.title}>`).join(' · '));
  }
  return { text: clip(lines.join('\n'), 4000) };
}

/** The body a webhook of `format` receives for an announcement. */
export function renderWebhookBody(
  format: WebhookFormat,
  announcement: Announcement,
): unknown {
  switch (format) {
    case 'slack':
      return slackMessage(announcement);
    case 'discord':
      return discordMessage(announcement);
    case 'teams':
      return teamsMessage(announcement);
    case 'googlechat':
      return googleChatMessage(announcement);
    default:
      return announcement.event;
  }
}
