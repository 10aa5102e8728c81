import { describe, expect, it } from "vitest";
import { isDark, nextThemePref } from "./theme";

describe("theme", () => {
  it("follows the system unless the user chose", () => {
    expect(isDark("system", true)).toBe(true);
    expect(isDark("system", false)).toBe(false);
    expect(isDark("dark", false)).toBe(true);
    expect(isDark("light", true)).toBe(false);
  });
  it("cycles system → dark → light → system", () => {
    expect(nextThemePref("system")).toBe("dark");
    expect(nextThemePref("dark")).toBe("light");
    expect(nextThemePref("light")).toBe("system");
  });
});
