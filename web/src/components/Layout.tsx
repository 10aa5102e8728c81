import { useEffect, useState, type ReactNode } from "react";
import { Link, NavLink, useLocation } from "react-router";
import { Dropdown, DropdownDivider, DropdownHeader, DropdownItem, Navbar, NavbarCollapse, NavbarToggle } from "flowbite-react";
import { useSession, useUser } from "../state/session";
import { useLive } from "../state/live";
import { applyThemePref, loadThemePref, nextThemePref, type ThemePref } from "../lib/theme";

const LINKS = [
  { to: "/feeds", label: "Feeds" },
  { to: "/dashboards", label: "Dashboards" },
  { to: "/keys", label: "MQTT keys" },
  { to: "/connect", label: "Connect a device" },
];

export function ConnectionIndicator() {
  const { status, detail, client } = useLive();
  const look = {
    connected: { dot: "bg-green-500", text: "Live" },
    connecting: { dot: "bg-amber-400 animate-pulse", text: "Connecting" },
    reconnecting: { dot: "bg-amber-400 animate-pulse", text: "Reconnecting" },
    unavailable: { dot: "bg-gray-400", text: "Not live" },
    off: { dot: "bg-gray-400", text: "Offline" },
  }[status];
  const title = status === "connected" ? "Receiving live values" : detail || look.text;
  return (
    <button type="button" onClick={() => client.retryNow()} title={title} data-testid="live-status" data-status={status}
      className="flex items-center gap-1.5 rounded-full border border-gray-200 px-2.5 py-1 text-xs font-medium text-gray-700 hover:bg-gray-100 dark:border-gray-700 dark:text-gray-200 dark:hover:bg-gray-700">
      <span className={`inline-block h-2.5 w-2.5 rounded-full ${look.dot}`} aria-hidden />
      <span>{look.text}</span>
    </button>
  );
}

function ThemeToggle() {
  const [pref, setPref] = useState<ThemePref>(loadThemePref);
  useEffect(() => {
    applyThemePref(pref);
    if (pref !== "system") return;
    const mq = window.matchMedia("(prefers-color-scheme: dark)");
    const on = () => applyThemePref("system");
    mq.addEventListener("change", on);
    return () => mq.removeEventListener("change", on);
  }, [pref]);
  const icon = pref === "dark" ? "☾" : pref === "light" ? "☀" : "◐";
  return (
    <button type="button" onClick={() => setPref(nextThemePref(pref))} title={`Theme: ${pref} (click to change)`}
      aria-label={`Colour theme: ${pref}`}
      className="rounded-lg p-2 text-lg leading-none text-gray-500 hover:bg-gray-100 dark:text-gray-400 dark:hover:bg-gray-700">
      <span aria-hidden>{icon}</span>
    </button>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const user = useUser();
  const { signOut } = useSession();
  const loc = useLocation();
  return (
    <div className="min-h-screen">
      <Navbar fluid className="sticky top-0 z-40 border-b border-gray-200 dark:border-gray-700">
        <Link to="/feeds" className="flex items-center">
          <img src="/favicon.svg" alt="" className="mr-2 h-7 w-7" />
          <span className="self-center text-xl font-semibold whitespace-nowrap dark:text-white">perch</span>
        </Link>
        <div className="flex items-center gap-1 md:order-2">
          <ConnectionIndicator />
          <ThemeToggle />
          <Dropdown inline arrowIcon={false} label={
            <span className="flex h-8 w-8 items-center justify-center rounded-full bg-cyan-700 text-sm font-semibold text-white uppercase">
              {user.username.slice(0, 1)}
            </span>
          }>
            <DropdownHeader>
              <span className="block text-sm font-medium">{user.username}</span>
              <span className="block truncate text-xs text-gray-500 dark:text-gray-400">{user.email || user.role}</span>
            </DropdownHeader>
            <DropdownItem as={Link} to="/keys">MQTT keys</DropdownItem>
            <DropdownDivider />
            <DropdownItem onClick={() => void signOut()} data-testid="sign-out">Sign out</DropdownItem>
          </Dropdown>
          <NavbarToggle />
        </div>
        <NavbarCollapse>
          {LINKS.map((l) => {
            const active = loc.pathname === l.to || loc.pathname.startsWith(`${l.to}/`);
            return (
              <li key={l.to}>
                <NavLink to={l.to}
                  className={`block rounded px-3 py-2 md:p-0 ${active
                    ? "bg-cyan-700 text-white md:bg-transparent md:text-cyan-700 dark:md:text-cyan-400"
                    : "text-gray-700 hover:bg-gray-100 md:hover:bg-transparent md:hover:text-cyan-700 dark:text-gray-300 dark:hover:bg-gray-700 dark:md:hover:bg-transparent dark:md:hover:text-white"}`}>
                  {l.label}
                </NavLink>
              </li>
            );
          })}
        </NavbarCollapse>
      </Navbar>
      <main className="mx-auto max-w-screen-2xl px-3 py-4 sm:px-6 sm:py-6">{children}</main>
    </div>
  );
}
