// One dashboard: a responsive grid of blocks (react-grid-layout), editable in place.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { Badge, Button } from "flowbite-react";
import { Responsive } from "react-grid-layout";
import "react-grid-layout/css/styles.css";
import { api, ApiError } from "../lib/api";
import type { Block, Feed, LayoutItem, Layouts } from "../lib/types";
import { blockType } from "../lib/blocks";
import {
  BREAKPOINTS, BREAKPOINT_NAMES, COLS, layoutsFor, layoutsPayload, placeNew, ROW_HEIGHT, sameLayouts, type Breakpoint,
} from "../lib/layout";
import { BLOCK_VIEWS, UnsupportedBlock } from "../blocks";
import { BlockEditor } from "../components/BlockEditor";
import { ErrorBoundary } from "../components/ErrorBoundary";
import { ConfirmModal, Empty, ErrorAlert, Loading, PageHeader } from "../components/ui";
import { useAsync } from "../state/useAsync";
import { useRegisterFeeds, useWatchOwner } from "../state/live";
import { useOwner } from "../state/owner";
import { useToasts } from "../state/toasts";

function BlockFrame({ block, owner, feeds, readOnly, editing, onEdit, onDelete }: {
  block: Block; owner: string; feeds: Map<string, Feed>; readOnly: boolean; editing: boolean;
  onEdit: () => void; onDelete: () => void;
}) {
  const body = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  useEffect(() => {
    const el = body.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize({ w: el.clientWidth, h: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const View = BLOCK_VIEWS[block.visual_type] ?? UnsupportedBlock;
  return (
    <div className={`flex h-full flex-col rounded-lg border bg-white shadow-sm dark:bg-gray-800 ${editing ? "border-dashed border-cyan-500" : "border-gray-200 dark:border-gray-700"}`}
      data-testid="block" data-block-type={block.visual_type} data-block-id={String(block.id)}>
      <div className={`flex items-center gap-1 px-3 pt-2 ${editing ? "block-drag cursor-move" : ""}`}>
        <h3 className="min-w-0 flex-1 truncate text-sm font-semibold text-gray-700 dark:text-gray-200" title={block.name}>{block.name}</h3>
        {editing && (
          <div className="flex gap-1 no-drag">
            <button type="button" onClick={onEdit} className="rounded px-1.5 py-0.5 text-xs text-gray-600 hover:bg-gray-100 dark:text-gray-300 dark:hover:bg-gray-700" aria-label={`Configure ${block.name}`}>⚙ Edit</button>
            <button type="button" onClick={onDelete} className="rounded px-1.5 py-0.5 text-xs text-red-600 hover:bg-red-50 dark:hover:bg-red-900/30" aria-label={`Remove ${block.name}`}>✕</button>
          </div>
        )}
      </div>
      <div className={`min-h-0 flex-1 overflow-hidden p-2 ${editing ? "pointer-events-none opacity-90" : ""}`}>
        <div ref={body} className="h-full">
          <ErrorBoundary compact>
            <View block={block} owner={owner} feeds={feeds} readOnly={readOnly} width={size.w} height={size.h} />
          </ErrorBoundary>
        </div>
      </div>
    </div>
  );
}

export default function DashboardPage() {
  const { key = "" } = useParams();
  const { owner, readOnly, base } = useOwner();
  const { notify } = useToasts();
  useWatchOwner(owner);
  const dash = useAsync((s) => api.dashboard(owner, key, s), [owner, key]);
  const feedsQ = useAsync((s) => api.feeds(owner, s), [owner]);
  useRegisterFeeds(owner, feedsQ.data);
  const feeds = useMemo(() => new Map((feedsQ.data ?? []).map((f) => [f.key, f])), [feedsQ.data]);

  const [blocks, setBlocks] = useState<Block[]>([]);
  const [layouts, setLayouts] = useState<Record<Breakpoint, LayoutItem[]> | null>(null);
  const saved = useRef<Layouts>({});
  const [editing, setEditing] = useState(false);
  const [editor, setEditor] = useState<{ block: Block | null } | null>(null);
  const [removing, setRemoving] = useState<Block | null>(null);
  const [saveState, setSaveState] = useState<"" | "saving" | "saved" | "error">("");
  const saveTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Measured with a callback ref: the grid's container appears only after loading.
  const [width, setWidth] = useState(0);
  const observer = useRef<ResizeObserver | null>(null);
  const containerRef = useCallback((el: HTMLDivElement | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    observer.current = ro;
    setWidth(el.clientWidth);
  }, []);
  const mounted = width > 0;

  useEffect(() => {
    if (!dash.data) return;
    const bs = dash.data.blocks ?? [];
    setBlocks(bs);
    const l = layoutsFor(bs, dash.data.layouts);
    setLayouts(l);
    saved.current = layoutsPayload(l);
  }, [dash.data]);

  const saveLayouts = useCallback((next: Record<string, readonly LayoutItem[]>, immediate = false) => {
    if (readOnly) return;
    const body = layoutsPayload(next);
    if (sameLayouts(body, saved.current)) return;
    if (saveTimer.current) clearTimeout(saveTimer.current);
    const run = async () => {
      setSaveState("saving");
      try {
        await api.updateLayouts(owner, key, body);
        saved.current = body;
        setSaveState("saved");
      } catch (e) {
        setSaveState("error");
        notify("error", "Layout not saved", (e as Error).message);
      }
    };
    if (immediate) void run();
    else saveTimer.current = setTimeout(run, 600);
  }, [readOnly, owner, key, notify]);

  useEffect(() => () => { if (saveTimer.current) clearTimeout(saveTimer.current); }, []);

  const onLayoutChange = useCallback((_cur: readonly LayoutItem[], all: Partial<Record<string, readonly LayoutItem[]>>) => {
    const next = { ...(layouts ?? {}), ...all } as Record<Breakpoint, LayoutItem[]>;
    setLayouts(next);
    if (editing) saveLayouts(next);
  }, [layouts, editing, saveLayouts]);

  const onSaved = (b: Block, isNew: boolean) => {
    if (isNew) {
      const t = blockType(b.visual_type);
      const next = {} as Record<Breakpoint, LayoutItem[]>;
      for (const bp of BREAKPOINT_NAMES) {
        const items = layouts?.[bp] ?? [];
        const w = COLS[bp] < 8 ? COLS[bp] : t?.w ?? 4;
        next[bp] = [...items, placeNew(items, String(b.id), w, t?.h ?? 4, COLS[bp])];
      }
      setBlocks((bs) => [...bs, b]);
      setLayouts(next);
      saveLayouts(next, true);
      setEditing(true);
    } else {
      setBlocks((bs) => bs.map((x) => (String(x.id) === String(b.id) ? b : x)));
    }
  };

  const removeBlock = async (b: Block) => {
    await api.deleteBlock(owner, key, b.id);
    setBlocks((bs) => bs.filter((x) => String(x.id) !== String(b.id)));
    if (layouts) {
      const next = {} as Record<Breakpoint, LayoutItem[]>;
      for (const bp of BREAKPOINT_NAMES) next[bp] = (layouts[bp] ?? []).filter((it) => it.i !== String(b.id));
      setLayouts(next);
      saved.current = layoutsPayload(next);
    }
  };

  // Minimum sizes go to the grid, never into the saved layouts.
  const gridLayouts = useMemo(() => {
    if (!layouts) return {};
    const byId = new Map(blocks.map((b) => [String(b.id), blockType(b.visual_type)]));
    const out: Record<string, LayoutItem[]> = {};
    for (const bp of BREAKPOINT_NAMES) {
      out[bp] = (layouts[bp] ?? []).map((it) => {
        const t = byId.get(it.i);
        return { ...it, minW: Math.min(t?.minW ?? 2, COLS[bp]), minH: t?.minH ?? 2 };
      });
    }
    return out;
  }, [layouts, blocks]);

  if (dash.error) {
    const nf = dash.error instanceof ApiError && (dash.error.status === 404 || dash.error.status === 403);
    return (
      <>
        <PageHeader title="Dashboard" />
        <ErrorAlert error={nf ? "This dashboard does not exist, or you may not open it." : dash.error} onRetry={nf ? undefined : dash.reload} />
        <Link to={`${base}/dashboards`} className="text-cyan-700 underline dark:text-cyan-400">Back to dashboards</Link>
      </>
    );
  }
  if (!dash.data || !layouts) return <Loading />;

  return (
    <>
      <nav className="mb-2 text-sm text-gray-500 dark:text-gray-400">
        <Link to={`${base}/dashboards`} className="hover:underline">{readOnly ? `${owner}'s dashboards` : "Dashboards"}</Link> /
      </nav>
      <PageHeader
        title={<span data-testid="dashboard-title">{dash.data.name}</span>}
        subtitle={<div className="flex items-center gap-2">
          {readOnly && <Badge color="gray">read-only</Badge>}
          {dash.data.description && <span>{dash.data.description}</span>}
          {editing && <span className="text-xs">{saveState === "saving" ? "Saving layout…" : saveState === "saved" ? "Layout saved" : saveState === "error" ? "Layout not saved" : "Drag blocks by their title, resize from the corner."}</span>}
        </div>}
        actions={!readOnly && <>
          <Button size="sm" onClick={() => setEditor({ block: null })} data-testid="add-block">Add block</Button>
          <Button size="sm" color={editing ? "default" : "light"} onClick={() => setEditing((e) => !e)} data-testid="edit-layout">
            {editing ? "Done" : "Edit layout"}
          </Button>
        </>}
      />
      <div ref={containerRef} className="-mx-2">
        {blocks.length === 0 ? (
          <div className="mx-2"><Empty title="This dashboard is empty">{readOnly ? "No blocks yet." : "Add a chart, a gauge or a toggle with “Add block”."}</Empty></div>
        ) : mounted && (
          <Responsive
            width={width}
            layouts={gridLayouts}
            breakpoints={BREAKPOINTS}
            cols={COLS}
            rowHeight={ROW_HEIGHT}
            margin={[12, 12]}
            containerPadding={[8, 8]}
            dragConfig={{ enabled: editing && !readOnly, handle: ".block-drag", cancel: ".no-drag" }}
            resizeConfig={{ enabled: editing && !readOnly }}
            onLayoutChange={onLayoutChange}
          >
            {blocks.map((b) => (
              <div key={String(b.id)}>
                <BlockFrame block={b} owner={owner} feeds={feeds} readOnly={readOnly} editing={editing}
                  onEdit={() => setEditor({ block: b })} onDelete={() => setRemoving(b)} />
              </div>
            ))}
          </Responsive>
        )}
      </div>
      {editor && (
        <BlockEditor owner={owner} dashKey={key} feeds={feedsQ.data ?? []} block={editor.block} open onClose={() => setEditor(null)}
          onSaved={onSaved} onFeedCreated={(f) => feedsQ.setData((fs) => [...(fs ?? []), f])} />
      )}
      <ConfirmModal open={!!removing} title="Remove this block?" confirmLabel="Remove" onClose={() => setRemoving(null)}
        onConfirm={() => (removing ? removeBlock(removing) : undefined)}>
        <p>The block <strong>{removing?.name}</strong> is removed from this dashboard. Its feed and data stay.</p>
      </ConfirmModal>
    </>
  );
}
