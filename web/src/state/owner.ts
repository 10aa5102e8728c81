import { useParams } from "react-router";
import { useUser } from "./session";

/**
 * Whose feeds and dashboards the page shows: the signed-in user, or (for an
 * instructor, under /users/:owner/…) another user's, read-only.
 */
export function useOwner(): { owner: string; readOnly: boolean; base: string } {
  const { owner } = useParams();
  const me = useUser().username;
  const o = owner && owner !== me ? owner : me;
  return { owner: o, readOnly: o !== me, base: o === me ? "" : `/users/${encodeURIComponent(o)}` };
}
