import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { SessionProvider } from './session.tsx';
import { Layout } from './components/Layout.tsx';
import { SignInPage } from './pages/SignIn.tsx';
import { OverviewPage } from './pages/Overview.tsx';
import { AccountsPage } from './pages/Accounts.tsx';
import { AccountDetailPage } from './pages/AccountDetail.tsx';
import { DebtorsPage } from './pages/Debtors.tsx';
import { DebtorDetailPage } from './pages/DebtorDetail.tsx';
import { ImportsPage } from './pages/Imports.tsx';
import { NotFoundPage } from './pages/NotFound.tsx';
import { InboxPage } from './pages/Inbox.tsx';
import { ContactsPage } from './pages/Contacts.tsx';
import { RunsPage } from './pages/Runs.tsx';

/** Client routes live under /app: the server answers /app/* with index.html. */
const router = createBrowserRouter([
  { path: '/', element: <Navigate to="/app/overview" replace /> },
  { path: '/app', element: <Navigate to="/app/overview" replace /> },
  { path: '/app/sign-in', element: <SignInPage /> },
  {
    path: '/app',
    element: <Layout />,
    children: [
      { path: 'overview', element: <OverviewPage /> },
      { path: 'accounts', element: <AccountsPage /> },
      { path: 'accounts/:id', element: <AccountDetailPage /> },
      { path: 'debtors', element: <DebtorsPage /> },
      { path: 'debtors/:id', element: <DebtorDetailPage /> },
      { path: 'imports', element: <ImportsPage /> },
      { path: 'contacts', element: <ContactsPage /> },
      { path: 'runs', element: <RunsPage /> },
      { path: 'inbox', element: <InboxPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
  { path: '*', element: <Navigate to="/app/overview" replace /> },
]);

export const App = () => (
  <SessionProvider>
    <RouterProvider router={router} />
  </SessionProvider>
);
