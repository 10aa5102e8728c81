import { useCallback, useState } from "react";
import type { Block, Feed } from "../lib/types";
import { blockFeedKeys, withDefaults } from "../lib/blocks";
import { useLive } from "../state/live";
import { useToasts } from "../state/toasts";

export interface BlockProps {
  block: Block;
  owner: string;
  feeds: Map<string, Feed>;
  readOnly: boolean;
  /** Grid size of the block in pixels (for charts). */
  width: number;
  height: number;
}

/** The block's properties with its type's defaults, and its feed keys. */
export function useBlockConfig(block: Block) {
  const props = withDefaults(block.visual_type, block.properties);
  const keys = blockFeedKeys(block);
  return { props, keys, key: keys[0] as string | undefined };
}

/** Sends a value to a feed the way a board expects it, reporting failures as toasts. */
export function useSend(owner: string, feeds: Map<string, Feed>, key: string | undefined, readOnly: boolean) {
  const { sendToFeed, status } = useLive();
  const { notify } = useToasts();
  const [busy, setBusy] = useState(false);
  const send = useCallback(async (value: string) => {
    if (!key || readOnly) return;
    setBusy(true);
    try {
      await sendToFeed(owner, feeds.get(key) ?? { key, mqtt_topic: null }, value);
    } catch (e) {
      notify("error", "Could not send", (e as Error).message);
    } finally {
      setBusy(false);
    }
  }, [owner, feeds, key, readOnly, sendToFeed, notify]);
  return { send, busy, live: status === "connected" };
}

export function NoFeed() {
  return <div className="flex h-full items-center justify-center text-sm text-gray-500">No feed chosen.</div>;
}

export function ReportedState({ value, at, label = "board reports" }: { value?: string | null; at?: number; label?: string }) {
  return (
    <div className="truncate text-center text-xs text-gray-500 dark:text-gray-400" data-testid="block-state" title={at ? new Date(at).toLocaleString() : undefined}>
      {label}: <span className="font-mono">{value ?? "—"}</span>
    </div>
  );
}
