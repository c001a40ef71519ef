import {
  CLUSTER,
  developmentRequest,
  OWNER,
  productionRequest,
} from '../__fixtures__/requests';
import {
  DeploymentRequestInput,
  parseDeploymentRequest,
} from '../model/request';
import { renderManifests } from '../render/renderManifests';
import { changeReferencePolicy } from './changeReference';
import { evaluatePolicies, otapPolicyEnvironment } from './engine';
import { PolicySettings } from './types';

const JIRA = '^https://jira\\.example\\.com/browse/[A-Z]+-\\d+$';
const GITHUB = '^https://github\\.com/acme/payments/issues/\\d+$';

function check(
  input: DeploymentRequestInput,
  settings: PolicySettings = {},
  owner = OWNER,
) {
  const parsed = parseDeploymentRequest(input);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return evaluatePolicies(
    {
      request: parsed.request,
      manifests: renderManifests(parsed.request, { owner }),
      context: { owner, cluster: CLUSTER },
    },
    [changeReferencePolicy],
    { 'change-reference': settings },
    otapPolicyEnvironment(parsed.request.environment),
  ).map(({ path, message, hint, severity }) => ({
    path,
    message,
    hint,
    severity,
  }));
}

describe('change-reference policy', () => {
  it('requires a reference in production by default, not elsewhere', () => {
    expect(check(productionRequest({ changeReference: undefined }))).toEqual([
      {
        path: 'changeReference',
        message: 'production requires a change reference',
        hint: 'add the URL of the change ticket, e.g. https://jira.acme.example/browse/OPS-123',
        severity: 'error',
      },
    ]);
    expect(check(developmentRequest())).toEqual([]);
    expect(check(developmentRequest(), { required: true })).toEqual([
      expect.objectContaining({
        message: 'development requires a change reference',
      }),
    ]);
    expect(
      check(productionRequest({ changeReference: undefined }), {
        required: false,
      }),
    ).toEqual([]);
  });

  it("refuses a reference that does not match the environment's pattern, quoting it and the example", () => {
    const settings = {
      pattern: JIRA,
      example: 'https://jira.example.com/browse/OPS-123',
    };
    expect(
      check(
        productionRequest({
          changeReference: 'https://jira.example.com/browse/OPS-123',
        }),
        settings,
      ),
    ).toEqual([]);
    expect(
      check(
        productionRequest({
          changeReference: 'https://jira.example.com/browse/ops-1x',
        }),
        settings,
      ),
    ).toEqual([
      {
        path: 'changeReference',
        message: `https://jira.example.com/browse/ops-1x is not a ticket of the tracker production uses: it must match ${JIRA}`,
        hint: 'use the URL of the change ticket, e.g. https://jira.example.com/browse/OPS-123',
        severity: 'error',
      },
    ]);
    // Where a reference is optional, one that is given must still match.
    expect(
      check(
        developmentRequest({ changeReference: 'https://wiki.example.com/x' }),
        settings,
      ),
    ).toEqual([expect.objectContaining({ path: 'changeReference' })]);
    expect(
      check(productionRequest({ changeReference: undefined }), settings),
    ).toEqual([
      expect.objectContaining({
        hint: `add the URL of the change ticket, e.g. https://jira.example.com/browse/OPS-123 (it must match ${JIRA})`,
      }),
    ]);
  });

  it("applies the owning team's own rule instead of the environment's", () => {
    const settings = {
      pattern: JIRA,
      teams: [
        {
          team: OWNER,
          pattern: GITHUB,
          example: 'https://github.com/acme/payments/issues/42',
        },
        { team: 'group:default/team-sandbox', required: false },
      ],
    };
    const issue = 'https://github.com/acme/payments/issues/42';
    expect(
      check(productionRequest({ changeReference: issue }), settings),
    ).toEqual([]);
    expect(
      check(
        productionRequest({
          changeReference: 'https://jira.example.com/browse/OPS-1',
        }),
        settings,
      ),
    ).toEqual([
      expect.objectContaining({
        message: `https://jira.example.com/browse/OPS-1 is not a ticket of the tracker production (for ${OWNER}) uses: it must match ${GITHUB}`,
        hint: 'use the URL of the change ticket, e.g. https://github.com/acme/payments/issues/42',
      }),
    ]);
    // Another team keeps the environment's rule; a team may be exempted.
    expect(
      check(
        productionRequest({ changeReference: issue }),
        settings,
        'group:default/team-orders',
      ),
    ).toEqual([expect.objectContaining({ path: 'changeReference' })]);
    expect(
      check(
        productionRequest({ changeReference: undefined }),
        settings,
        'group:default/team-sandbox',
      ),
    ).toEqual([]);
  });
});
