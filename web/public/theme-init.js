// Applies the saved colour theme (or the system's) before the app loads, so
// dark mode does not flash. Kept in sync with src/lib/theme.ts.
(function () {
  try {
    var pref = localStorage.getItem("perch.theme") || "system";
    var dark = pref === "dark" || (pref === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
    document.documentElement.classList.toggle("dark", dark);
  } catch (e) {
    /* storage may be unavailable; stay light */
  }
})();
