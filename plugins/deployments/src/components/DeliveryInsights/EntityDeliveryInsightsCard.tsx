import { InfoCard } from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { DeliveryInsightsPanel } from './DeliveryInsightsPanel';

/**
 * The delivery insights of the application on its overview page: the DORA
 * figures and their trend, with the platform's targets.
 *
 * @public
 */
export function EntityDeliveryInsightsCard() {
  const { entity } = useEntity();
  return (
    <InfoCard title="Delivery insights">
      <DeliveryInsightsPanel
        filter={{ entityRef: stringifyEntityRef(entity) }}
      />
    </InfoCard>
  );
}
