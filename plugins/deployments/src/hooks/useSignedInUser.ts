import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';

/**
 * The signed-in user's entity ref (`user:default/ada`), `undefined` while
 * it loads. Only to explain disabled buttons: the backend decides.
 */
export function useSignedInUser(): string | undefined {
  const identityApi = useApi(identityApiRef);
  const { value } = useAsync(
    async () => (await identityApi.getBackstageIdentity()).userEntityRef,
    [identityApi],
  );
  return value;
}
