// Adafruit IO's pagination headers on data lists: Link (rel="next") and X-Pagination-*.

export interface Page<T> {
  items: T[];
  next: string | null;
  total: number | null;
  limit: number | null;
  count: number | null;
}

interface HeaderSource {
  get(name: string): string | null;
}

/**
 * Finds the rel="next" URL in a Link header. Accepts the standard form
 * `<url>; rel="next"` and Adafruit IO's quirk, where `rel="next"` comes *before*
 * the next-page URL (`<current>;rel="next", <next>`).
 */
export function parseNextLink(link: string | null | undefined): string | null {
  if (!link) return null;
  const parts = link.split(/,(?=\s*<)/).map((p) => p.trim());
  for (const p of parts) {
    const m = /^<([^>]*)>\s*;\s*(.*)$/.exec(p);
    if (m && /rel\s*=\s*"?next"?/i.test(m[2])) {
      // Adafruit quirk: `<current>; rel="next", <next>` -> the URL after this part.
      const idx = parts.indexOf(p);
      const quirk = /rel="next"\s*$/.test(m[2]) && idx + 1 < parts.length && !/rel\s*=/.test(parts[idx + 1]);
      if (quirk) {
        const n = /^<([^>]*)>/.exec(parts[idx + 1]);
        if (n) return n[1];
      }
      return m[1];
    }
  }
  return null;
}

function num(v: string | null): number | null {
  if (v === null || v.trim() === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export function parsePagination(h: HeaderSource): Omit<Page<never>, "items"> {
  return {
    next: parseNextLink(h.get("Link")),
    total: num(h.get("X-Pagination-Total")),
    limit: num(h.get("X-Pagination-Limit")),
    count: num(h.get("X-Pagination-Count")),
  };
}
