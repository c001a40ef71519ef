import { useEffect, useMemo, useState } from 'react';
import Button from '@material-ui/core/Button';
import Card from '@material-ui/core/Card';
import CardActions from '@material-ui/core/CardActions';
import CardContent from '@material-ui/core/CardContent';
import CardHeader from '@material-ui/core/CardHeader';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  Content,
  ErrorPanel,
  Header,
  Page,
  ProxiedSignInPage,
} from '@backstage/core-components';
import { IdentityApi } from '@backstage/core-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';
import { DevUser, devUsers } from './devUsers';

/** Where the choice is kept, so a reload signs in as the same user. */
export const DEV_USER_STORAGE_KEY = 'deployments-portal:dev-user';
/** Header the backend's dev-users provider reads. */
export const DEV_USER_HEADER = 'x-portal-dev-user';
const GUEST = 'guest';

function rememberedChoice(): string | undefined {
  try {
    return window.localStorage.getItem(DEV_USER_STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function remember(choice: string | undefined) {
  try {
    if (choice) {
      window.localStorage.setItem(DEV_USER_STORAGE_KEY, choice);
    } else {
      window.localStorage.removeItem(DEV_USER_STORAGE_KEY);
    }
  } catch {
    // No storage (private mode): the choice lasts until the next reload.
  }
}

/** The auth backend's own words (a ResponseError carries them as its cause). */
function reasonOf(error: Error): string {
  const cause = (error as { cause?: { message?: unknown } }).cause;
  return typeof cause?.message === 'string' && cause.message
    ? cause.message
    : error.message;
}

/** Signing out forgets the choice, so the picker shows again. */
function forgettingOnSignOut(identity: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identity.getProfileInfo(),
    getBackstageIdentity: () => identity.getBackstageIdentity(),
    getCredentials: () => identity.getCredentials(),
    signOut: async () => {
      remember(undefined);
      await identity.signOut();
    },
  };
}

function UserCard(props: {
  title: string;
  subheader: string;
  description: string;
  action: string;
  onClick: () => void;
}) {
  return (
    <Card variant="outlined">
      <CardHeader title={props.title} subheader={props.subheader} />
      <CardContent>
        <Typography variant="body2" color="textSecondary">
          {props.description}
        </Typography>
      </CardContent>
      <CardActions>
        <Button color="primary" variant="contained" onClick={props.onClick}>
          {props.action}
        </Button>
      </CardActions>
    </Card>
  );
}

function Picker(props: {
  users: DevUser[];
  error?: Error;
  onChoose: (choice: string) => void;
}) {
  return (
    <Page themeId="home">
      <Header
        title="Sign in (development)"
        subtitle="Choose an example user to try roles and the four-eyes approval flow"
      />
      <Content>
        {props.error && (
          <ErrorPanel
            title={`Sign-in failed: ${reasonOf(props.error)}`}
            error={props.error}
          />
        )}
        <Grid container spacing={2}>
          {props.users.map(user => (
            <Grid item xs={12} sm={6} md={4} key={user.name}>
              <UserCard
                title={user.displayName}
                subheader={`${user.name} · ${user.team}`}
                description={user.role}
                action={`Sign in as ${user.name}`}
                onClick={() => props.onChoose(user.name)}
              />
            </Grid>
          ))}
          <Grid item xs={12} sm={6} md={4}>
            <UserCard
              title="Guest"
              subheader="guest · team-payments"
              description="The guest provider's single user"
              action="Enter"
              onClick={() => props.onChoose(GUEST)}
            />
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}

/** A failed sign-in: say why and offer the picker again. */
function SignInFailed(props: {
  error?: Error;
  users: DevUser[];
  onChoose: (choice: string) => void;
}) {
  // Forget the choice so a reload shows the picker, not the same failure.
  useEffect(() => remember(undefined), []);
  return (
    <Picker
      users={props.users}
      error={props.error ?? new Error('Sign-in failed')}
      onChoose={props.onChoose}
    />
  );
}

/**
 * Development sign-in: pick one of the example users (signed in through the
 * backend's `dev-users` provider) or the guest. The choice is remembered in
 * localStorage; signing out returns to the picker.
 */
export function DevUsersSignInPage(
  props: SignInPageProps & { users?: DevUser[] },
) {
  const users = props.users ?? devUsers;
  const [choice, setChoice] = useState(rememberedChoice);
  // Choosing the same user again after a failure is a new attempt.
  const [attempt, setAttempt] = useState(0);
  const ErrorComponent = useMemo(() => {
    const choose = (next: string) => {
      remember(next);
      setChoice(next);
      setAttempt(n => n + 1);
    };
    return (failure: { error?: Error }) => (
      <SignInFailed error={failure.error} users={users} onChoose={choose} />
    );
  }, [users]);

  if (!choice) {
    return (
      <Picker
        users={users}
        onChoose={next => {
          remember(next);
          setChoice(next);
        }}
      />
    );
  }

  return (
    <ProxiedSignInPage
      key={`${choice}:${attempt}`}
      provider={choice === GUEST ? 'guest' : 'dev-users'}
      headers={choice === GUEST ? {} : { [DEV_USER_HEADER]: choice }}
      ErrorComponent={ErrorComponent}
      onSignInSuccess={identity =>
        props.onSignInSuccess(forgettingOnSignOut(identity))
      }
    />
  );
}
