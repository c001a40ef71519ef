import { ConfigReader } from '@backstage/config';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { AddressInfo } from 'node:net';
import { listenForScrapes, readPrometheusSettings } from './prometheusEndpoint';

describe('the Prometheus endpoint', () => {
  it('reads host and port from config, with loopback defaults, and 0 as off', () => {
    const read = (prometheus?: object) =>
      readPrometheusSettings(
        new ConfigReader(prometheus ? { metrics: { prometheus } } : {}),
      );
    expect(read()).toEqual({ host: '127.0.0.1', port: 9464 });
    // Substituted from environment variables, the port is a string.
    expect(read({ host: '0.0.0.0', port: '9100' })).toEqual({
      host: '0.0.0.0',
      port: 9100,
    });
    expect(read({ port: 0 })).toBeUndefined();
    expect(() => read({ port: 70000 })).toThrow(
      'Invalid config at metrics.prometheus.port: 70000 is not a port; use 1-65535, or 0 to switch the endpoint off',
    );
  });

  it('serves what the meters recorded on GET /metrics, and nothing else', async () => {
    const exporter = new PrometheusExporter({ preventServerStart: true });
    const provider = new MeterProvider({ readers: [exporter] });
    provider
      .getMeter('test')
      .createCounter('portal_test_scrapes')
      .add(3, { environment: 'production' });
    const server = await listenForScrapes(exporter, {
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const scrape = await fetch(`${base}/metrics`);
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toContain(
        'portal_test_scrapes_total{environment="production",otel_scope_name="test"} 3',
      );
      expect((await fetch(`${base}/other`)).status).toBe(404);
    } finally {
      server.close();
      await provider.shutdown();
    }
  });
});
