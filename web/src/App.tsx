import { lazy, Suspense } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { Layout } from "./components/Layout";
import { Loading } from "./components/ui";
import { LiveProvider } from "./state/live";
import { useSession } from "./state/session";
import SignInPage from "./pages/SignInPage";
import FeedsPage from "./pages/FeedsPage";

// Pages beyond the first one load on demand (uPlot and the grid editor stay out of the first download).
const FeedPage = lazy(() => import("./pages/FeedPage"));
const DashboardsPage = lazy(() => import("./pages/DashboardsPage"));
const DashboardPage = lazy(() => import("./pages/DashboardPage"));
const KeysPage = lazy(() => import("./pages/KeysPage"));
const ConnectPage = lazy(() => import("./pages/ConnectPage"));

function NotFound() {
  return (
    <div className="py-16 text-center">
      <h1 className="mb-2 text-2xl font-bold">Page not found</h1>
      <a href="/feeds" className="text-cyan-700 underline dark:text-cyan-400">Go to your feeds</a>
    </div>
  );
}

function SignedIn({ username }: { username: string }) {
  const loc = useLocation();
  return (
    <LiveProvider username={username}>
      <Layout>
        <ErrorBoundary resetKey={loc.pathname}>
          <Suspense fallback={<Loading />}>
            <Routes>
              <Route path="/" element={<Navigate to="/feeds" replace />} />
              <Route path="/feeds" element={<FeedsPage />} />
              <Route path="/feeds/:key" element={<FeedPage />} />
              <Route path="/dashboards" element={<DashboardsPage />} />
              <Route path="/dashboards/:key" element={<DashboardPage />} />
              <Route path="/users/:owner/feeds" element={<FeedsPage />} />
              <Route path="/users/:owner/feeds/:key" element={<FeedPage />} />
              <Route path="/users/:owner/dashboards" element={<DashboardsPage />} />
              <Route path="/users/:owner/dashboards/:key" element={<DashboardPage />} />
              <Route path="/keys" element={<KeysPage />} />
              <Route path="/connect" element={<ConnectPage />} />
              <Route path="/signin" element={<Navigate to="/feeds" replace />} />
              <Route path="*" element={<NotFound />} />
            </Routes>
          </Suspense>
        </ErrorBoundary>
      </Layout>
    </LiveProvider>
  );
}

export default function App() {
  const { state } = useSession();
  if (state.status === "loading") return <Loading label="Starting perch…" />;
  if (state.status === "signedOut") return <SignInPage notice={state.notice} />;
  return <SignedIn key={state.user.username} username={state.user.username} />;
}
