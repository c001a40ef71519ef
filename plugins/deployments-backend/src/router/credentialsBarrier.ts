import { HttpAuthService } from '@backstage/backend-plugin-api';
import { NextFunction, Request, Response } from 'express';
import { AuditLog } from '../audit/AuditLog';

const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The path prefixes whose credentials the plugin checks itself, to audit refusals. */
export const AUDITED_PATHS = ['/deployments', '/approvals', '/changes'];

/**
 * Requires valid credentials on /deployments, /approvals and /changes and records a
 * refused mutating call (no or bad credentials: 401) in the audit trail as
 * `anonymous` (rate-limited: past the first few per minute they are counted
 * and summarised, see AnonymousRefusals). These paths are exempt from the HTTP router's own credentials
 * barrier only so that this middleware sees the refusal; it enforces the
 * same rule.
 */
export function requireCredentials(options: {
  httpAuth: HttpAuthService;
  audit: AuditLog;
}) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    // Express matches routes case-insensitively: so must this check.
    const path = req.path.toLowerCase();
    if (!AUDITED_PATHS.some(p => path === p || path.startsWith(`${p}/`))) {
      next();
      return;
    }
    try {
      await options.httpAuth.credentials(req, { allow: ['user', 'service'] });
    } catch (error) {
      if (MUTATING_METHODS.has(req.method)) {
        const [, , environment, namespace, name] = req.path.split('/');
        const isDeployment = path.startsWith('/deployments/');
        const changeId = path.startsWith('/changes/')
          ? req.path.split('/')[2]?.slice(0, 36)
          : undefined;
        await options.audit.refusedAnonymously({
          action: actionOf(req),
          ...(isDeployment ? { environment, namespace, name } : {}),
          ...(path.startsWith('/approvals/')
            ? { approvalId: req.path.split('/')[2]?.slice(0, 36) }
            : {}),
          ...(changeId ? { changeId } : {}),
          message: `${req.method} ${req.path}: ${(error as Error).message}`,
        });
      }
      throw error;
    }
    next();
  };
}

function actionOf(req: Request) {
  const path = req.path.toLowerCase();
  if (path.startsWith('/approvals/')) {
    return path.endsWith('/reject') ? 'approval.reject' : 'approval.approve';
  }
  if (path.startsWith('/changes/')) return 'change.cancel';
  if (path.endsWith('/restart')) return 'restart';
  if (path.endsWith('/rollback')) return 'rollback';
  if (req.method === 'DELETE') return 'delete';
  if (req.method === 'PUT') return 'update';
  return 'deploy';
}
