import { fireEvent, screen, within } from '@testing-library/react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { DeploymentsApi, deploymentsApiRef } from '../../api';
import { EnvironmentPickerField } from './EnvironmentPickerField';

describe('EnvironmentPickerField', () => {
  it('offers the environments in OTAP order, marking approval', async () => {
    const onChange = jest.fn();
    const api = {
      listEnvironments: async () => [
        {
          name: 'development',
          cluster: 'a',
          namespacePattern: 'x',
          requiresApproval: false,
          production: false,
        },
        {
          name: 'production',
          cluster: 'b',
          namespacePattern: 'x',
          requiresApproval: true,
          production: true,
        },
      ],
      validate: jest.fn(),
    } as Pick<DeploymentsApi, 'listEnvironments' | 'validate'>;
    await renderInTestApp(
      <TestApiProvider apis={[[deploymentsApiRef, api]]}>
        <EnvironmentPickerField
          {...({
            onChange,
            formData: undefined,
            schema: { title: 'Environment' },
            idSchema: { $id: 'environment' },
            uiSchema: {},
          } as any)}
        />
      </TestApiProvider>,
    );

    fireEvent.mouseDown(
      await screen.findByRole('button', { name: /Environment/ }),
    );
    const options = within(await screen.findByRole('listbox')).getAllByRole(
      'option',
    );
    expect(options.map(o => o.textContent)).toEqual([
      'development',
      'production (approval required)',
    ]);
    fireEvent.click(options[1]);
    expect(onChange).toHaveBeenCalledWith('production');
  });
});
