/*
 * OpenTelemetry metrics for the whole backend, for Prometheus. Imported first
 * thing in index.ts, so every plugin's meters report here; the /metrics
 * endpoint itself starts with the backend, where config says
 * (metrics.prometheus, see modules/prometheusEndpoint.ts).
 */
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

export const prometheusExporter = new PrometheusExporter({
  preventServerStart: true,
});
metrics.setGlobalMeterProvider(
  new MeterProvider({ readers: [prometheusExporter] }),
);
