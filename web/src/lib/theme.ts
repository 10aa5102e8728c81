// Light / dark / system colour theme, stored in localStorage (public/theme-init.js
// applies the same rule before the app loads).
export type ThemePref = "light" | "dark" | "system";
const KEY = "perch.theme";

export function loadThemePref(): ThemePref {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

export function isDark(pref: ThemePref, systemDark: boolean): boolean {
  return pref === "dark" || (pref === "system" && systemDark);
}

export function nextThemePref(p: ThemePref): ThemePref {
  return p === "system" ? "dark" : p === "dark" ? "light" : "system";
}

export function applyThemePref(pref: ThemePref) {
  try {
    if (pref === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, pref);
  } catch {
    /* private mode: not remembered */
  }
  const sys = window.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
  document.documentElement.classList.toggle("dark", isDark(pref, sys));
}
