// A devDependency of the repository root, where the browser tests run from
// (playwright.config.ts), not of the app package.
// eslint-disable-next-line @backstage/no-undeclared-imports
import AxeBuilder from '@axe-core/playwright';
import { BrowserContext, Page } from '@playwright/test';

/**
 * What is wider than its place: the page (wider than the window), a card
 * or paper (content past its edge) and a table container that scrolls
 * sideways. Text cut with an ellipsis (it has its whole text in a tooltip)
 * does not count. Each entry names the element and its widths.
 */
export function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const describe = (e: Element) => {
      const id =
        e.getAttribute('data-testid') ??
        e.querySelector('[data-testid]')?.getAttribute('data-testid') ??
        e.querySelector('h1,h2,h3,h4,h5,h6')?.textContent?.slice(0, 40) ??
        '';
      return `${e.tagName.toLowerCase()}.${String(e.className)
        .split(' ')
        .filter(c => c.startsWith('Mui'))
        .slice(0, 2)
        .join('.')} "${id}"`;
    };
    const wide: string[] = [];
    const root = document.scrollingElement!;
    if (root.scrollWidth > window.innerWidth + 1) {
      // The innermost elements that reach past the window, to say what overflows.
      const past = [...document.querySelectorAll('body *')].filter(
        e =>
          e.getBoundingClientRect().right > window.innerWidth + 1 &&
          ![...e.children].some(
            c => c.getBoundingClientRect().right > window.innerWidth + 1,
          ),
      );
      wide.push(
        `page ${root.scrollWidth} > ${window.innerWidth}: ${past
          .slice(0, 3)
          .map(e => `${describe(e)} "${(e.textContent ?? '').slice(0, 30)}"`)
          .join(', ')}`,
      );
    }
    const main = document.querySelector('main') ?? document.body;
    for (const card of main.querySelectorAll('.MuiCard-root, .MuiPaper-root')) {
      if (card.closest('[role="tooltip"], [role="dialog"], .MuiPopover-root')) {
        continue;
      }
      if (card.scrollWidth > card.clientWidth + 1) {
        wide.push(
          `${describe(card)} ${card.scrollWidth} > ${card.clientWidth}`,
        );
      }
    }
    for (const element of main.querySelectorAll('*')) {
      const style = getComputedStyle(element);
      if (
        (style.overflowX === 'auto' || style.overflowX === 'scroll') &&
        element.scrollWidth > element.clientWidth + 1
      ) {
        wide.push(
          `${describe(element)} scrolls sideways ${element.scrollWidth} > ${
            element.clientWidth
          }`,
        );
      }
    }
    return wide;
  });
}

/**
 * Backstage's own chrome that axe-core faults, left out of the check (not
 * ours to fix; everything of the deployments plugin is checked):
 * - @backstage/plugin-notifications' NotificationsSidebarItem: its
 *   aria-label "Notifications" leaves out the unread count it shows
 *   (label-content-name-mismatch, serious);
 * - @backstage/ui's page header tabs (the scaffolder's "Templates" tab):
 *   aria-controls names a tab panel that is not rendered
 *   (aria-valid-attr-value, critical).
 */
export const BACKSTAGE_CHROME_EXCLUDED = [
  'a[href="/notifications"][aria-label="Notifications"]',
  'a.bui-Tab',
];

/**
 * The serious and critical axe-core findings (WCAG 2.1 A and AA), and any
 * heading that skips a level (heading-order, moderate in axe: headings in
 * order is part of the suite's standard), one line each.
 */
export async function seriousAccessibilityViolations(
  page: Page,
): Promise<string[]> {
  let builder = new AxeBuilder({ page }).withTags([
    'wcag2a',
    'wcag2aa',
    'wcag21a',
    'wcag21aa',
    'best-practice',
  ]);
  for (const selector of BACKSTAGE_CHROME_EXCLUDED) {
    builder = builder.exclude(selector);
  }
  const results = await builder.analyze();
  return results.violations
    .filter(
      v =>
        v.id === 'heading-order' ||
        (!v.tags.includes('best-practice') &&
          (v.impact === 'serious' || v.impact === 'critical')),
    )
    .map(
      v =>
        `${v.impact} ${v.id} (${v.help}): ${v.nodes
          .slice(0, 4)
          .map(n => `${n.html.slice(0, 160)} ${n.failureSummary ?? ''}`)
          .join(' | ')}`,
    );
}

/** The theme Backstage's app keeps in localStorage (`theme`), set before any page loads. */
export async function chooseTheme(
  context: BrowserContext,
  theme: 'light' | 'dark',
) {
  await context.addInitScript(value => {
    window.localStorage.setItem('theme', value);
  }, theme);
}

/**
 * A screenshot of the whole page. Backstage scrolls its content inside the
 * page, so a full-page screenshot shows only the window: the window is made
 * as tall as the content for the shot, then set back.
 */
export async function screenshotWhole(page: Page, path: string) {
  const viewport = page.viewportSize()!;
  const height = await page.evaluate(() =>
    Math.max(
      document.scrollingElement!.scrollHeight,
      ...[...document.querySelectorAll('body *')]
        .filter(e => {
          const overflowY = getComputedStyle(e).overflowY;
          return (
            (overflowY === 'auto' || overflowY === 'scroll') &&
            e.scrollHeight > e.clientHeight
          );
        })
        .map(e => e.scrollHeight + e.getBoundingClientRect().top),
    ),
  );
  await page.setViewportSize({
    width: viewport.width,
    height: Math.min(Math.ceil(height), 6000),
  });
  await page.waitForTimeout(300);
  await page.screenshot({ path, fullPage: true });
  await page.setViewportSize(viewport);
}
