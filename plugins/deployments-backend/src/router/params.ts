import {
  changeLink,
  DeploymentOutcome,
  isFinalStatus,
  isPendingApproval,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { Request, Response } from 'express';

/**
 * The answer of a mutating call: 202 Accepted while the change is queued or
 * runs (and while it waits for approval), with `Location` where to follow
 * it; 200 once it has ended (a `?wait` that was long enough).
 */
export function sendOutcome(
  req: Request,
  res: Response,
  outcome: DeploymentOutcome,
) {
  if (isPendingApproval(outcome)) {
    res.status(202).json(outcome);
    return;
  }
  if (outcome.id !== 'dry-run') {
    res.location(`${req.baseUrl}${changeLink(outcome.id)}`);
  }
  res.status(isFinalStatus(outcome.status) ? 200 : 202).json(outcome);
}
