import { screen, waitFor, within } from '@testing-library/react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AuditFilter } from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentsApi } from '../../api';
import { ENTITY_REF, responseError } from '../../__testUtils__/deployments';
import { APPROVAL_ID, auditEvent } from '../../__testUtils__/governance';
import { AuditTrail } from './AuditTrail';
import { renderWithDeploymentsApi, testUser } from '../../__testUtils__/render';

const user = testUser();

jest.setTimeout(20_000);

async function renderTrail(
  api: Partial<DeploymentsApi>,
  options: { filter?: AuditFilter; allowed?: boolean } = {},
) {
  await renderWithDeploymentsApi(<AuditTrail filter={options.filter} />, api, {
    permission: {
      authorize: () =>
        options.allowed === false
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    },
  });
}

async function open() {
  await user.click(await screen.findByRole('button', { name: /Audit trail/ }));
}

describe('AuditTrail', () => {
  const createObjectURL = jest.fn((_blob: Blob) => 'blob:audit');
  const revokeObjectURL = jest.fn();
  let clicked: HTMLAnchorElement[];

  beforeEach(() => {
    // jsdom has no object URLs and does not download.
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    clicked = [];
    jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        clicked.push(this);
      });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    createObjectURL.mockClear();
  });

  it('reads the trail only when opened, then shows who did what', async () => {
    const getAudit = jest.fn(async () => ({
      items: [
        auditEvent(),
        auditEvent({
          id: 'a2',
          actor: 'anonymous',
          action: 'rollback',
          result: 'refused',
          message:
            'POST /deployments/production/x/y/rollback: Missing credentials',
          taskId: undefined,
          approvalId: undefined,
        }),
      ],
    }));
    await renderTrail({ getAudit }, { filter: { entityRef: ENTITY_REF } });
    expect(getAudit).not.toHaveBeenCalled();

    await open();

    const table = await screen.findByRole('table');
    expect(getAudit).toHaveBeenCalledWith({
      entityRef: ENTITY_REF,
      limit: 100,
    });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('ada');
    expect(rows[0]).toHaveTextContent('approval: request');
    expect(rows[0]).toHaveTextContent('pending');
    expect(rows[0]).toHaveTextContent('production');
    expect(rows[0]).toHaveTextContent(
      'ghcr.io/acme/payments-api:1.4.1 → ghcr.io/acme/payments-api:1.4.2',
    );
    expect(
      within(rows[0]).getByRole('link', { name: 'task-123' }),
    ).toHaveAttribute('href', '/create/tasks/task-123');
    expect(
      within(rows[0]).getByRole('link', { name: 'approval: request' }),
    ).toHaveAttribute('href', `/deployments/approvals/${APPROVAL_ID}`);
    expect(rows[1]).toHaveTextContent('anonymous');
    expect(rows[1]).toHaveTextContent('refused');
    expect(rows[1]).toHaveTextContent('Missing credentials');
  });

  it('shows older events page by page with the cursor of the page before', async () => {
    const getAudit = jest.fn(async (filter?: AuditFilter) =>
      filter?.cursor === 'page-2'
        ? { items: [auditEvent({ id: 'old', actor: 'user:default/grace' })] }
        : { items: [auditEvent({ id: 'new' })], nextCursor: 'page-2' },
    );
    await renderTrail({ getAudit }, { filter: { entityRef: ENTITY_REF } });
    await open();
    const table = await screen.findByRole('table');
    expect(within(table).getAllByRole('row').slice(1)).toHaveLength(1);

    await user.click(
      await screen.findByRole('button', { name: 'Show older events' }),
    );

    await waitFor(() =>
      expect(within(table).getAllByRole('row').slice(1)).toHaveLength(2),
    );
    expect(getAudit).toHaveBeenLastCalledWith({
      entityRef: ENTITY_REF,
      limit: 100,
      cursor: 'page-2',
    });
    expect(within(table).getAllByRole('row')[2]).toHaveTextContent('grace');
    // The last page has no cursor: nothing older to show.
    expect(
      screen.queryByRole('button', { name: 'Show older events' }),
    ).not.toBeInTheDocument();
  });

  it.each([
    ['Export CSV', 'csv', 'text/csv'],
    ['Export JSON', 'json', 'application/json'],
  ] as const)(
    '%s fetches the export with the filter and saves it as a file',
    async (button, format, type) => {
      const blob = new Blob(['x'], { type });
      const exportAudit = jest.fn(async () => blob);
      await renderTrail(
        { getAudit: async () => ({ items: [] }), exportAudit },
        { filter: { entityRef: ENTITY_REF } },
      );
      await open();

      await user.click(await screen.findByRole('button', { name: button }));

      await waitFor(() =>
        expect(exportAudit).toHaveBeenCalledWith(
          { entityRef: ENTITY_REF },
          format,
        ),
      );
      expect(createObjectURL).toHaveBeenCalledWith(blob);
      expect(clicked).toHaveLength(1);
      expect(clicked[0].getAttribute('href')).toBe('blob:audit');
      expect(clicked[0].download).toBe(
        `deployments-audit-component-default-payments-api.${format}`,
      );
    },
  );

  it("shows the backend's message when the export fails", async () => {
    await renderTrail({
      getAudit: async () => ({ items: [] }),
      exportAudit: async () => {
        throw await responseError(
          503,
          'ServiceUnavailableError',
          'database is not reachable',
        );
      },
    });
    await open();

    await user.click(await screen.findByRole('button', { name: 'Export CSV' }));

    expect(
      await screen.findByText(
        'Could not export the audit trail as CSV: database is not reachable',
      ),
    ).toBeInTheDocument();
    expect(clicked).toHaveLength(0);
  });

  it('shows the error when the trail cannot be read', async () => {
    await renderTrail({
      getAudit: async () => {
        throw await responseError(500, 'Error', 'audit table is missing');
      },
    });
    await open();

    expect(
      (await screen.findAllByText(/audit table is missing/))[0],
    ).toBeInTheDocument();
  });
});
