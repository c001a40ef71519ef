import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

class CollectingReader extends MetricReader {
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

/**
 * Makes the global meter provider one whose measurements a test can read
 * (call it at module level, before the plugin creates its instruments), and
 * answers the data points of a metric whose attributes include `match`.
 */
export function collectMetrics() {
  const reader = new CollectingReader();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  return async function points(
    name: string,
    match: Record<string, string> = {},
  ): Promise<Array<{ attributes: Record<string, unknown>; value: number }>> {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics
      .flatMap(scope => scope.metrics)
      .filter(metric => metric.descriptor.name === name)
      .flatMap(
        metric =>
          metric.dataPoints as Array<{
            attributes: Record<string, unknown>;
            value: number;
          }>,
      )
      .filter(point =>
        Object.entries(match).every(
          ([key, value]) => point.attributes[key] === value,
        ),
      );
  };
}
