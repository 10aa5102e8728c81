import { Component, type ErrorInfo, type ReactNode } from "react";

interface Props {
  children: ReactNode;
  /** Small inline message instead of the full-page one (for dashboard blocks). */
  compact?: boolean;
  /** Changing this value clears the error (e.g. the route). */
  resetKey?: unknown;
}

interface State {
  error: Error | null;
  key: unknown;
}

/** Catches render errors: shows a friendly message, never a stack trace or a blank page. */
export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null, key: this.props.resetKey };

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    if (props.resetKey !== state.key) return { error: null, key: props.resetKey };
    return null;
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error("perch: a part of the page failed", error, info.componentStack);
  }

  render() {
    if (!this.state.error) return this.props.children;
    const chunk = /dynamically imported module|Loading chunk|Failed to fetch/i.test(this.state.error.message);
    if (this.props.compact) {
      return (
        <div className="flex h-full items-center justify-center p-2 text-center text-sm text-red-600 dark:text-red-400" role="alert">
          This block could not be shown.
        </div>
      );
    }
    return (
      <div className="mx-auto my-16 max-w-md rounded-lg border border-red-200 bg-white p-6 text-center shadow-sm dark:border-red-900 dark:bg-gray-800" role="alert">
        <h2 className="mb-2 text-lg font-semibold">Something went wrong</h2>
        <p className="mb-4 text-sm text-gray-600 dark:text-gray-300">
          {chunk
            ? "A part of the app could not be loaded; perch may have been updated. Reloading usually helps."
            : "This page hit an unexpected problem. Your data is safe."}
        </p>
        <div className="flex justify-center gap-2">
          <button type="button" className="rounded-lg bg-cyan-700 px-4 py-2 text-sm font-medium text-white hover:bg-cyan-800"
            onClick={() => window.location.reload()}>
            Reload
          </button>
          <a href="/" className="rounded-lg border border-gray-300 px-4 py-2 text-sm font-medium hover:bg-gray-100 dark:border-gray-600 dark:hover:bg-gray-700">
            Home
          </a>
        </div>
      </div>
    );
  }
}
