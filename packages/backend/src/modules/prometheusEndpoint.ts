/*
 * The Prometheus endpoint (GET /metrics) on its own port, where config says:
 *
 *   metrics:
 *     prometheus:
 *       host: 0.0.0.0   # default 127.0.0.1; in a container the pod's address
 *       port: 9464      # default 9464; 0 switches the endpoint off
 *
 * It serves what instrumentation.ts collects, starts with the backend and
 * closes on shutdown.
 */
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { createServer, Server } from 'node:http';

/** Where the endpoint listens, or undefined when it is off. */
export function readPrometheusSettings(
  config: Config,
): { host: string; port: number } | undefined {
  const section = config.getOptionalConfig('metrics.prometheus');
  const port = section?.getOptionalNumber('port') ?? 9464;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `Invalid config at metrics.prometheus.port: ${port} is not a port; use 1-65535, or 0 to switch the endpoint off`,
    );
  }
  if (port === 0) {
    return undefined;
  }
  return { host: section?.getOptionalString('host') ?? '127.0.0.1', port };
}

/** Serves `exporter` on GET /metrics at host:port. */
export async function listenForScrapes(
  exporter: PrometheusExporter,
  settings: { host: string; port: number },
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      exporter.getMetricsRequestHandler(req, res);
      return;
    }
    res.statusCode = 404;
    res.end('not found: GET /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  return server;
}

export function prometheusEndpoint(exporter: PrometheusExporter) {
  return createBackendPlugin({
    pluginId: 'prometheus-endpoint',
    register(reg) {
      reg.registerInit({
        deps: {
          config: coreServices.rootConfig,
          logger: coreServices.rootLogger,
          lifecycle: coreServices.rootLifecycle,
        },
        async init({ config, logger, lifecycle }) {
          const settings = readPrometheusSettings(config);
          if (!settings) {
            logger.info('Prometheus endpoint off (metrics.prometheus.port: 0)');
            return;
          }
          const server = await listenForScrapes(exporter, settings);
          logger.info(
            `Prometheus metrics at http://${settings.host}:${settings.port}/metrics`,
          );
          lifecycle.addShutdownHook(
            () => new Promise<void>(resolve => server.close(() => resolve())),
          );
        },
      });
    },
  });
}
