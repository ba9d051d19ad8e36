// Application shell: session bootstrap, sign-in gate, navigation and routes.
import { useEffect, useState } from 'preact/hooks';
import { loadSession, setUnauthorizedHandler, signOut, type Session } from './api';
import { ErrorBox, Spinner } from './components';
import { href, useRoute } from './router';
import { LoginPage } from './pages/login';
import { SearchPage } from './pages/search';
import { EntityPage } from './pages/entity';
import { ClassificationsPage } from './pages/classifications';
import { GlossaryPage } from './pages/glossary';
import { AboutPage } from './pages/about';
import { AdminPage } from './pages/admin';
import { QuickSearch } from './quick-search';

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [navOpen, setNavOpen] = useState(false);
  const route = useRoute();

  const refresh = () =>
    loadSession().then(
      (s) => {
        setSession(s);
        setError(null);
      },
      (e) => setError(e),
    );

  useEffect(() => {
    setUnauthorizedHandler(() => setSession(null));
    refresh();
  }, []);
  useEffect(() => setNavOpen(false), [route.path]);

  if (error && session === undefined) {
    return (
      <div class="center-page">
        <ErrorBox error={error} />
        <button onClick={refresh}>Retry</button>
      </div>
    );
  }
  if (session === undefined) return <Spinner label="Connecting…" />;
  if (session === null) return <LoginPage onSignedIn={refresh} />;

  const section = route.segments[0] ?? 'search';
  const isAdmin = Array.isArray(session.roles) && session.roles.includes('ADMIN');
  let page;
  switch (section) {
    case 'entity':
      page = <EntityPage guid={route.segments[1] ?? ''} route={route} />;
      break;
    case 'classifications':
    case 'classification':
      page = <ClassificationsPage name={route.segments[1]} route={route} />;
      break;
    case 'glossary':
      page = <GlossaryPage route={route} />;
      break;
    case 'about':
      page = <AboutPage />;
      break;
    case 'admin':
      page = <AdminPage />;
      break;
    default:
      page = <SearchPage route={route} />;
  }
  const link = (to: string, label: string, active: boolean) => (
    <a href={href(to)} class={active ? 'active' : ''} data-nav={to.slice(1)}>
      {label}
    </a>
  );
  return (
    <div class={`shell ${navOpen ? 'nav-open' : ''}`}>
      <header class="topbar">
        <button class="link burger" aria-label="Menu" onClick={() => setNavOpen(!navOpen)}>
          ☰
        </button>
        <a class="brand" href={href('/search')}>
          Meridian
        </a>
        <nav class="mainnav">
          {link('/search', 'Search', section === 'search' || section === '')}
          {link('/classifications', 'Classifications', section.startsWith('classification'))}
          {link('/glossary', 'Glossary', section === 'glossary')}
          {isAdmin && link('/admin', 'Admin', section === 'admin')}
          {link('/about', 'About', section === 'about')}
        </nav>
        <span class="grow" />
        <QuickSearch />
        <span class="user" data-testid="user">
          {session.userName}
        </span>
        <button
          class="secondary"
          data-testid="signout"
          onClick={async () => {
            await signOut();
            setSession(null);
          }}
        >
          Sign out
        </button>
      </header>
      <main class="content">{page}</main>
    </div>
  );
}
