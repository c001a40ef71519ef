import { metrics } from '@opentelemetry/api';
import {
  DeploymentRecord,
  PolicyViolation,
} from '@deployments-portal/backstage-plugin-deployments-common';

/**
 * OpenTelemetry instruments of the deployments plugin. They reach the
 * backend's Prometheus endpoint through the global meter provider
 * (packages/backend/src/instrumentation.ts).
 */
export class DeploymentMetrics {
  private readonly meter = metrics.getMeter('backstage-plugin-deployments');
  private readonly deployments = this.meter.createCounter('deployments_total', {
    description: 'Deployment changes by environment, action and result',
  });
  private readonly duration = this.meter.createHistogram(
    'deployments_duration_seconds',
    {
      description:
        'Time from the request to a final status, queue time included',
      unit: 's',
      advice: {
        explicitBucketBoundaries: [1, 2, 5, 10, 30, 60, 120, 300, 600],
      },
    },
  );
  private readonly rollbacks = this.meter.createCounter(
    'deployments_rollbacks_total',
    {
      description: 'Rollbacks by environment and kind (automatic or requested)',
    },
  );
  private readonly queueWait = this.meter.createHistogram(
    'deployments_change_queue_seconds',
    {
      description: 'Time a change waited in the queue before a worker took it',
      unit: 's',
      advice: {
        explicitBucketBoundaries: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      },
    },
  );
  private readonly resumed = this.meter.createCounter(
    'deployments_changes_resumed_total',
    {
      description:
        'Changes taken over from a replica that stopped, by the step they were at',
    },
  );
  private readonly violations = this.meter.createCounter(
    'deployments_policy_violations_total',
    { description: 'Policy violations found, by policy id and severity' },
  );

  recordFinished(record: DeploymentRecord) {
    const attributes = {
      environment: record.environment,
      action: record.action,
      result: record.status,
    };
    this.deployments.add(1, attributes);
    if (record.finishedAt) {
      this.duration.record(
        (Date.parse(record.finishedAt) - Date.parse(record.createdAt)) / 1000,
        attributes,
      );
    }
    if (record.status === 'rolled-back') {
      this.rollbacks.add(1, {
        environment: record.environment,
        kind: 'automatic',
      });
    }
    if (record.action === 'rollback' && record.status === 'succeeded') {
      this.rollbacks.add(1, {
        environment: record.environment,
        kind: 'requested',
      });
    }
  }

  /** A worker took a change: its queue time, or that it was resumed. */
  recordClaimed(change: DeploymentRecord & { attempts: number }) {
    if (change.attempts > 1) {
      this.resumed.add(1, {
        environment: change.environment,
        step: change.status,
      });
    } else if (change.startedAt) {
      this.queueWait.record(
        (Date.parse(change.startedAt) - Date.parse(change.createdAt)) / 1000,
        { environment: change.environment, action: change.action },
      );
    }
  }

  recordViolations(environment: string, violations: PolicyViolation[]) {
    for (const violation of violations) {
      this.violations.add(1, {
        environment,
        policy_id: violation.policyId,
        severity: violation.severity,
      });
    }
  }
}
