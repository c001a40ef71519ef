import { useApi } from '@backstage/frontend-plugin-api';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../../api';

/**
 * Scaffolder field: the configured environments in their promotion order,
 * marking those that need approval.
 */
export function EnvironmentPickerField(
  props: FieldExtensionComponentProps<string>,
) {
  const { formData, onChange, schema, required, rawErrors, idSchema } = props;
  const deploymentsApi = useApi(deploymentsApiRef);
  const {
    value: environments,
    loading,
    error,
  } = useAsync(() => deploymentsApi.listEnvironments(), [deploymentsApi]);

  return (
    <TextField
      id={idSchema?.$id}
      select
      fullWidth
      margin="normal"
      label={schema.title ?? 'Environment'}
      required={required}
      value={formData ?? ''}
      onChange={event => onChange(event.target.value as string)}
      error={Boolean(error) || (rawErrors?.length ?? 0) > 0}
      helperText={
        error
          ? `Cannot load the environments: ${error.message}`
          : schema.description ??
            (environments ?? [])
              .map(environment => environment.name)
              .join(' → ')
      }
      disabled={loading}
    >
      {(environments ?? []).map(environment => (
        <MenuItem key={environment.name} value={environment.name}>
          {environment.name}
          {environment.requiresApproval ? ' (approval required)' : ''}
        </MenuItem>
      ))}
    </TextField>
  );
}
