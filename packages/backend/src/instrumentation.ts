/*
 * OpenTelemetry metrics for the whole backend, exported for Prometheus on
 * http://127.0.0.1:9464/metrics (PROMETHEUS_HOST / PROMETHEUS_PORT to change).
 * Imported first thing in index.ts, so every plugin's meters report here.
 */
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

if (process.env.PROMETHEUS_PORT !== '0') {
  const exporter = new PrometheusExporter({
    host: process.env.PROMETHEUS_HOST ?? '127.0.0.1',
    port: Number(process.env.PROMETHEUS_PORT ?? 9464),
  });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
}
