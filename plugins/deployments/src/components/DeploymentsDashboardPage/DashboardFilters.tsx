import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { DashboardFilter } from '../../api';
import { shortRef } from '../../lib/format';

const ALL = '';

/** Team and environment pickers; empty means all. */
export function DashboardFilters(props: {
  teams: string[];
  /** The configured environments, in order. */
  environments: string[];
  value: DashboardFilter;
  onChange: (filter: DashboardFilter) => void;
}) {
  const { teams, environments, value, onChange } = props;
  return (
    <Box
      display="flex"
      style={{ gap: 16 }}
      mb={2}
      data-testid="dashboard-filters"
    >
      <TextField
        select
        id="dashboard-team"
        label="Team"
        variant="outlined"
        size="small"
        style={{ minWidth: 240 }}
        SelectProps={{ displayEmpty: true }}
        // The text colour: the secondary grey is 4.47:1 on the page.
        InputLabelProps={{ shrink: true, style: { color: 'inherit' } }}
        value={value.team ?? ALL}
        onChange={e =>
          onChange({ ...value, team: e.target.value || undefined })
        }
      >
        <MenuItem value={ALL}>All teams</MenuItem>
        {teams.map(team => (
          <MenuItem key={team} value={team}>
            {shortRef(team)}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        select
        id="dashboard-environment"
        label="Environment"
        variant="outlined"
        size="small"
        style={{ minWidth: 200 }}
        SelectProps={{ displayEmpty: true }}
        // The text colour: the secondary grey is 4.47:1 on the page.
        InputLabelProps={{ shrink: true, style: { color: 'inherit' } }}
        value={value.environment ?? ALL}
        onChange={e =>
          onChange({
            ...value,
            environment: e.target.value || undefined,
          })
        }
      >
        <MenuItem value={ALL}>All environments</MenuItem>
        {environments.map(env => (
          <MenuItem key={env} value={env}>
            {env}
          </MenuItem>
        ))}
      </TextField>
    </Box>
  );
}
