import { useState } from 'preact/hooks';
import { signIn } from '../api';
import { ErrorBox } from '../components';
import { useSubmit } from '../hooks';

export function LoginPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit(async () => {
    await signIn(user, password);
    setPassword('');
    onSignedIn();
  });
  const submit = (ev: Event) => {
    ev.preventDefault();
    run();
  };
  return (
    <div class="center-page">
      <form class="login card" onSubmit={submit} autocomplete="on">
        <h1>Meridian</h1>
        <p class="muted">Metadata catalog and lineage</p>
        <label>
          User name
          <input name="j_username" autocomplete="username" value={user} onInput={(e) => setUser(e.currentTarget.value)} required />
        </label>
        <label>
          Password
          <input
            name="j_password"
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
        </label>
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
