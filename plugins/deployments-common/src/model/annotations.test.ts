import {
  ANNOTATION_HEALTH_URL,
  ANNOTATION_IMAGE,
  validateDeploymentAnnotations,
} from './annotations';

describe('validateDeploymentAnnotations', () => {
  it('accepts repositories with and without a registry', () => {
    for (const image of [
      'nginx',
      'acme/payments-api',
      'ghcr.io/acme/payments-api',
      'registry.local:5000/team/app_name',
    ]) {
      expect(
        validateDeploymentAnnotations({
          [ANNOTATION_IMAGE]: image,
          'backstage.io/kubernetes-id': 'payments-api',
        }),
      ).toEqual([]);
    }
  });

  it('rejects an image with a tag, a digest or upper case', () => {
    for (const image of [
      'ghcr.io/acme/payments-api:1.2.3',
      'acme/app@sha256:abc',
      'Acme/App',
      '',
    ]) {
      expect(
        validateDeploymentAnnotations({
          [ANNOTATION_IMAGE]: image,
          'backstage.io/kubernetes-id': 'payments-api',
        }),
      ).toEqual([expect.stringContaining(`Annotation ${ANNOTATION_IMAGE}`)]);
    }
  });

  it('accepts an http(s) health URL pattern and rejects anything else', () => {
    expect(
      validateDeploymentAnnotations({
        [ANNOTATION_HEALTH_URL]:
          'https://payments-{{ environment }}.acme.internal',
      }),
    ).toEqual([]);
    expect(
      validateDeploymentAnnotations({
        [ANNOTATION_HEALTH_URL]: 'ftp://payments.acme.internal',
      }),
    ).toEqual([expect.stringContaining('is not an http(s) URL')]);
  });

  it('requires a valid Kubernetes id on deployable components', () => {
    expect(
      validateDeploymentAnnotations({ [ANNOTATION_IMAGE]: 'ghcr.io/acme/app' }),
    ).toEqual([
      expect.stringContaining(
        'Annotation backstage.io/kubernetes-id is missing on a deployable component',
      ),
    ]);
    expect(
      validateDeploymentAnnotations({
        [ANNOTATION_IMAGE]: 'ghcr.io/acme/app',
        'backstage.io/kubernetes-id': 'Payments API',
      }),
    ).toEqual([
      "Annotation backstage.io/kubernetes-id 'Payments API' is not a DNS-1123 label; expected lowercase letters, digits and '-', e.g. payments-api",
    ]);
  });

  it('ignores entities without the annotations', () => {
    expect(validateDeploymentAnnotations(undefined)).toEqual([]);
    expect(validateDeploymentAnnotations({ other: 'x' })).toEqual([]);
  });
});
