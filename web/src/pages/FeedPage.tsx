import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import {
  Badge, Button, ButtonGroup, Label, Modal, ModalBody, ModalFooter, ModalHeader, Table, TableBody, TableCell, TableHead,
  TableHeadCell, TableRow, TextInput, Textarea,
} from "flowbite-react";
import { api, ApiError } from "../lib/api";
import type { Datum, Feed } from "../lib/types";
import { formatValue, toNumber, validateValue } from "../lib/payload";
import { formatDateTime, timeAgo } from "../lib/time";
import {
  chartResolution, fromLocalInput, RANGES, rangeMs, toLocalInput, useRawData, validateWindow, windowFor,
  type RangeId, type TimeWindow,
} from "../lib/resolution";
import { appendPoint, chartToSeries, emptySeries, rawToSeries, type Series } from "../lib/series";
import { csvFileName, dataToCsv } from "../lib/csv";
import { feedTopic } from "../lib/topics";
import { ConfirmModal, CopyButton, ErrorAlert, Loading, PageHeader } from "../components/ui";
import { useAsync, useNow } from "../state/useAsync";
import { useFeedPoints, useFeedValue, useRegisterFeeds, useWatchOwner } from "../state/live";
import { useOwner } from "../state/owner";
import { useToasts } from "../state/toasts";

const TimeChart = lazy(() => import("../components/TimeChart"));
const PAGE = 25;
const MAX_RAW_PAGES = 10;
const MAX_CSV_ROWS = 200_000;

function useWidth<T extends HTMLElement>(): [React.RefObject<T>, number] {
  const ref = useRef<T>(null);
  const [w, setW] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setW(el.clientWidth));
    ro.observe(el);
    setW(el.clientWidth);
    return () => ro.disconnect();
  }, []);
  return [ref, w];
}

/** All raw points of a window, following pagination (newest first). */
async function fetchRaw(owner: string, key: string, w: TimeWindow, maxPages: number, signal?: AbortSignal, onPage?: (n: number) => void) {
  const out: Datum[] = [];
  let page = await api.data(owner, key, { start_time: w.start.toISOString(), end_time: w.end.toISOString(), limit: 1000 }, signal);
  out.push(...page.items);
  onPage?.(out.length);
  for (let i = 1; i < maxPages && page.next && page.items.length > 0; i++) {
    page = await api.dataPage(page.next, signal);
    out.push(...page.items);
    onPage?.(out.length);
  }
  return out;
}

function ChartPanel({ owner, feed }: { owner: string; feed: Feed }) {
  const [range, setRange] = useState<RangeId>("24h");
  const [custom, setCustom] = useState<{ from: string; to: string }>(() => {
    const w = windowFor("24h");
    return { from: toLocalInput(w.start), to: toLocalInput(w.end) };
  });
  const [customWin, setCustomWin] = useState<TimeWindow | null>(null);
  const [customErr, setCustomErr] = useState<string | null>(null);
  const [boxRef, width] = useWidth<HTMLDivElement>();
  const [series, setSeries] = useState<Series | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(false);
  const [reloadTick, setReloadTick] = useState(0);
  const { notify } = useToasts();
  const [csvBusy, setCsvBusy] = useState<string | null>(null);

  const spanMs = range === "custom" ? (customWin ? customWin.end.getTime() - customWin.start.getTime() : 0) : rangeMs(range);
  const raw = useRawData(spanMs);
  const resolution = chartResolution(spanMs, width || 800);

  useEffect(() => {
    if (width <= 0) return;
    if (range === "custom" && !customWin) return;
    const ac = new AbortController();
    const w = range === "custom" ? customWin! : windowFor(range);
    setLoading(true);
    setError(null);
    const job = raw
      ? fetchRaw(owner, feed.key, w, MAX_RAW_PAGES, ac.signal).then(rawToSeries)
      : api.chart(owner, feed.key, { start_time: w.start.toISOString(), end_time: w.end.toISOString(), resolution }, ac.signal).then(chartToSeries);
    job.then(
      (s) => { if (!ac.signal.aborted) { setSeries(s); setLoading(false); } },
      (e: Error) => { if (!ac.signal.aborted && e.name !== "AbortError") { setError(e); setLoading(false); } },
    );
    return () => ac.abort();
  }, [owner, feed.key, range, customWin, raw, resolution, width > 0, reloadTick]); // eslint-disable-line react-hooks/exhaustive-deps

  useFeedPoints(owner, feed.key, (p) => {
    if (range === "custom") return;
    const v = toNumber(p.value);
    if (v === null) return;
    setSeries((s) => appendPoint(s ?? emptySeries(), p.at / 1000, v, (p.at - rangeMs(range)) / 1000));
  });

  const applyCustom = (e: FormEvent) => {
    e.preventDefault();
    const a = fromLocalInput(custom.from);
    const b = fromLocalInput(custom.to);
    const w = a && b ? { start: a, end: b } : null;
    const msg = validateWindow(w);
    setCustomErr(msg);
    if (!msg) { setCustomWin(w); setRange("custom"); }
  };

  const downloadCsv = async () => {
    const w = range === "custom" ? customWin : windowFor(range);
    if (!w) return;
    setCsvBusy("0");
    try {
      const rows = await fetchRaw(owner, feed.key, w, Math.ceil(MAX_CSV_ROWS / 1000), undefined, (n) => setCsvBusy(String(n)));
      const blob = new Blob([dataToCsv(rows)], { type: "text/csv;charset=utf-8" });
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = csvFileName(feed.key, w.start, w.end);
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      if (rows.length >= MAX_CSV_ROWS) notify("warning", "CSV cut short", `Only the newest ${MAX_CSV_ROWS} values were saved; choose a shorter range.`);
    } catch (e) {
      notify("error", "CSV download failed", (e as Error).message);
    } finally {
      setCsvBusy(null);
    }
  };

  const data = useMemo(() => {
    const s = series ?? emptySeries();
    return raw ? [s.t, s.avg] : [s.t, s.avg, s.min, s.max];
  }, [series, raw]);
  const chartSeries = useMemo(() => raw
    ? [{ label: feed.name || feed.key, color: "#0891b2" }]
    : [
      { label: `${feed.name || feed.key} (avg)`, color: "#0891b2" },
      { label: "min", color: "#0891b2", band: true },
      { label: "max", color: "#0891b2", band: true },
    ], [raw, feed.name, feed.key]);
  const numeric = (series?.t.length ?? 0) > 0;

  return (
    <section className="mb-6 rounded-lg border border-gray-200 bg-white p-3 shadow-sm sm:p-4 dark:border-gray-700 dark:bg-gray-800">
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <ButtonGroup>
          {RANGES.map((r) => (
            <Button key={r.id} size="xs" color={range === r.id ? "default" : "alternative"} onClick={() => setRange(r.id)}
              data-testid={`range-${r.id}`}>{r.label}</Button>
          ))}
        </ButtonGroup>
        <form className="flex flex-wrap items-center gap-1" onSubmit={applyCustom}>
          <TextInput sizing="sm" type="datetime-local" aria-label="From" value={custom.from} onChange={(e) => setCustom({ ...custom, from: e.target.value })} />
          <span className="text-xs text-gray-500">to</span>
          <TextInput sizing="sm" type="datetime-local" aria-label="To" value={custom.to} onChange={(e) => setCustom({ ...custom, to: e.target.value })} />
          <Button size="xs" type="submit" color={range === "custom" ? "default" : "alternative"}>Custom</Button>
        </form>
        <div className="ml-auto flex items-center gap-2">
          <span className="hidden text-xs text-gray-500 sm:inline dark:text-gray-400">
            {raw ? "raw values" : `${resolution} min per point`}{loading ? " · loading…" : ""}
          </span>
          <Button size="xs" color="light" onClick={downloadCsv} disabled={csvBusy !== null}>
            {csvBusy !== null ? `CSV… ${csvBusy}` : "Download CSV"}
          </Button>
        </div>
      </div>
      {customErr && <p className="mb-2 text-sm text-red-600 dark:text-red-400">{customErr}</p>}
      {error && <ErrorAlert error={error} onRetry={() => setReloadTick((t) => t + 1)} />}
      <div ref={boxRef} className="relative min-h-[300px]" data-testid="feed-chart">
        {series && !numeric && !loading && (
          <div className="absolute inset-0 flex items-center justify-center text-sm text-gray-500 dark:text-gray-400">
            No numeric values in this range.
          </div>
        )}
        <Suspense fallback={<Loading label="Loading chart…" />}>
          {width > 0 && <TimeChart data={data} series={chartSeries} bands={raw ? [] : [[3, 2]]} height={300} unit={feed.unit_symbol} />}
        </Suspense>
      </div>
    </section>
  );
}

function DataTablePanel({ owner, feed, readOnly }: { owner: string; feed: Feed; readOnly: boolean }) {
  // pages[i] = how to load page i: null for the newest page, else a URL or an end_time.
  const [cursors, setCursors] = useState<Array<{ url?: string; end?: string } | null>>([null]);
  const [idx, setIdx] = useState(0);
  const [items, setItems] = useState<Datum[]>([]);
  const [next, setNext] = useState<{ url?: string; end?: string } | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | null>(null);
  const [tick, setTick] = useState(0);
  const [value, setValue] = useState("");
  const [sendErr, setSendErr] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const { notify } = useToasts();

  useEffect(() => {
    const ac = new AbortController();
    const c = cursors[idx];
    setLoading(true);
    setError(null);
    const job = c?.url ? api.dataPage(c.url, ac.signal)
      : api.data(owner, feed.key, { limit: PAGE, end_time: c?.end }, ac.signal);
    job.then((p) => {
      if (ac.signal.aborted) return;
      const list = p.items;
      setItems(list);
      setTotal(p.total);
      if (p.next) setNext({ url: p.next });
      else if (list.length >= PAGE) {
        // No Link header: continue just before the oldest row shown.
        const oldest = Date.parse(list[list.length - 1].created_at);
        setNext(Number.isNaN(oldest) ? null : { end: new Date(oldest - 1).toISOString() });
      } else setNext(null);
      setLoading(false);
    }, (e: Error) => {
      if (!ac.signal.aborted && e.name !== "AbortError") { setError(e); setLoading(false); }
    });
    return () => ac.abort();
  }, [owner, feed.key, idx, cursors, tick]);

  useFeedPoints(owner, feed.key, (p) => {
    if (idx !== 0) return;
    setItems((xs) => [{ id: `live-${p.at}`, value: p.value, created_at: new Date(p.at).toISOString(), lat: p.lat, lon: p.lon }, ...xs].slice(0, PAGE));
    setTotal((t) => (t === null ? t : t + 1));
  });

  const older = () => {
    if (!next) return;
    setCursors((cs) => [...cs.slice(0, idx + 1), next]);
    setIdx(idx + 1);
  };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const err = validateValue(value);
    setSendErr(err);
    if (err) return;
    setSending(true);
    try {
      await api.addDatum(owner, feed.key, value);
      setValue("");
      notify("success", "Value added", `${feed.name || feed.key} = ${value}`);
      // The value also comes back live; reload when it does not (live connection down).
      setTimeout(() => setTick((t) => t + 1), 1500);
    } catch (e2) {
      setSendErr((e2 as Error).message);
    } finally {
      setSending(false);
    }
  };

  return (
    <section className="rounded-lg border border-gray-200 bg-white shadow-sm dark:border-gray-700 dark:bg-gray-800">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-gray-200 p-3 sm:p-4 dark:border-gray-700">
        <h2 className="font-semibold">Data {total !== null && <span className="text-sm font-normal text-gray-500">({total} values)</span>}</h2>
        {!readOnly && (
          <form className="flex gap-2" onSubmit={add}>
            <TextInput sizing="sm" placeholder="Add a value" value={value} onChange={(e) => setValue(e.target.value)} aria-label="New value" data-testid="add-value" />
            <Button size="sm" type="submit" disabled={sending}>Add</Button>
          </form>
        )}
      </div>
      {sendErr && <p className="px-4 pt-2 text-sm text-red-600 dark:text-red-400">{sendErr}</p>}
      {error && <div className="p-3"><ErrorAlert error={error} onRetry={() => setTick((t) => t + 1)} /></div>}
      <div className="overflow-x-auto">
        <Table striped>
          <TableHead>
            <TableRow>
              <TableHeadCell>Time</TableHeadCell>
              <TableHeadCell>Value</TableHeadCell>
              <TableHeadCell className="hidden sm:table-cell">Location</TableHeadCell>
            </TableRow>
          </TableHead>
          <TableBody className="divide-y divide-gray-200 dark:divide-gray-700" data-testid="data-table">
            {items.map((d) => (
              <TableRow key={String(d.id)}>
                <TableCell className="whitespace-nowrap tabular-nums">{formatDateTime(d.created_at)}</TableCell>
                <TableCell className="max-w-[40ch] truncate font-mono text-gray-900 dark:text-white" title={d.value}>{d.value}</TableCell>
                <TableCell className="hidden text-xs sm:table-cell">
                  {d.lat !== null && d.lat !== undefined && d.lon !== null && d.lon !== undefined ? `${d.lat}, ${d.lon}${d.ele !== null && d.ele !== undefined ? `, ${d.ele} m` : ""}` : ""}
                </TableCell>
              </TableRow>
            ))}
            {!loading && items.length === 0 && (
              <TableRow><TableCell colSpan={3} className="text-center text-gray-500">No values yet.</TableCell></TableRow>
            )}
          </TableBody>
        </Table>
      </div>
      <div className="flex items-center justify-between p-3">
        <Button size="xs" color="light" disabled={idx === 0 || loading} onClick={() => setIdx(idx - 1)}>Newer</Button>
        <span className="text-xs text-gray-500">{loading ? "Loading…" : `Page ${idx + 1}`}</span>
        <Button size="xs" color="light" disabled={!next || loading} onClick={older}>Older</Button>
      </div>
    </section>
  );
}

function EditFeedModal({ owner, feed, open, onClose, onSaved }: {
  owner: string; feed: Feed; open: boolean; onClose: () => void; onSaved: (f: Feed) => void;
}) {
  const [f, setF] = useState({
    name: feed.name ?? "", description: feed.description ?? "", unit_type: feed.unit_type ?? "",
    unit_symbol: feed.unit_symbol ?? "", retention_days: feed.retention_days != null ? String(feed.retention_days) : "",
  });
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!f.name.trim()) { setErr("The name cannot be empty."); return; }
    const days = f.retention_days.trim() === "" ? null : Number(f.retention_days);
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) { setErr("Keep data for 1 to 3650 days."); return; }
    setBusy(true);
    setErr(null);
    try {
      const saved = await api.updateFeed(owner, feed.key, {
        name: f.name.trim(), description: f.description, unit_type: f.unit_type, unit_symbol: f.unit_symbol,
        ...(days !== null ? { retention_days: days } : {}),
      });
      onSaved({ ...feed, ...saved });
      onClose();
    } catch (e2) {
      setErr((e2 as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const field = (k: keyof typeof f, label: string, extra: Record<string, unknown> = {}) => (
    <div>
      <Label htmlFor={`ef-${k}`} className="mb-1 block">{label}</Label>
      <TextInput id={`ef-${k}`} value={f[k]} onChange={(e) => setF({ ...f, [k]: e.target.value })} {...extra} />
    </div>
  );
  return (
    <Modal show={open} onClose={onClose} size="lg" dismissible>
      <form onSubmit={submit}>
        <ModalHeader>Edit feed</ModalHeader>
        <ModalBody className="space-y-4">
          {field("name", "Name", { maxLength: 128 })}
          <div>
            <Label htmlFor="ef-description" className="mb-1 block">Description</Label>
            <Textarea id="ef-description" rows={2} value={f.description} onChange={(e) => setF({ ...f, description: e.target.value })} />
          </div>
          <div className="grid grid-cols-2 gap-3">
            {field("unit_type", "Unit type", { placeholder: "temperature" })}
            {field("unit_symbol", "Unit symbol", { placeholder: "°C" })}
          </div>
          {field("retention_days", "Keep data for (days)", { type: "number", min: 1, max: 3650, placeholder: "default (30)" })}
          <p className="text-xs text-gray-500 dark:text-gray-400">The key <code>{feed.key}</code> and the MQTT topic do not change.</p>
          {err && <p className="text-sm text-red-600 dark:text-red-400">{err}</p>}
        </ModalBody>
        <ModalFooter>
          <Button type="submit" disabled={busy}>Save</Button>
          <Button color="alternative" onClick={onClose}>Cancel</Button>
        </ModalFooter>
      </form>
    </Modal>
  );
}

export default function FeedPage() {
  const { key = "" } = useParams();
  const { owner, readOnly, base } = useOwner();
  const nav = useNavigate();
  const now = useNow(5000);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  useWatchOwner(owner);
  const feed = useAsync((s) => api.feed(owner, key, s), [owner, key]);
  const feedList = useMemo(() => (feed.data ? [feed.data] : null), [feed.data]);
  useRegisterFeeds(owner, feedList);
  const live = useFeedValue(owner, key);
  const onSaved = useCallback((f: Feed) => feed.setData(f), [feed]);

  if (feed.error) {
    const nf = feed.error instanceof ApiError && (feed.error.status === 404 || feed.error.status === 403);
    return (
      <>
        <PageHeader title="Feed" />
        <ErrorAlert error={nf ? "This feed does not exist, or you may not open it." : feed.error} onRetry={nf ? undefined : feed.reload} />
        <Link to={`${base}/feeds`} className="text-cyan-700 underline dark:text-cyan-400">Back to feeds</Link>
      </>
    );
  }
  if (!feed.data) return <Loading />;
  const f = feed.data;
  const value = live?.value ?? f.last_value ?? null;
  const at = live?.at ?? f.updated_at ?? null;
  const topic = feedTopic(owner, f);

  return (
    <>
      <nav className="mb-2 text-sm text-gray-500 dark:text-gray-400">
        <Link to={`${base}/feeds`} className="hover:underline">{readOnly ? `${owner}'s feeds` : "Feeds"}</Link> /
      </nav>
      <PageHeader
        title={<span data-testid="feed-title">{f.name || f.key}</span>}
        subtitle={
          <div className="flex flex-wrap items-center gap-2">
            {readOnly && <Badge color="gray">read-only</Badge>}
            <code className="rounded bg-gray-100 px-1.5 py-0.5 font-mono text-xs dark:bg-gray-700">{topic}</code>
            <CopyButton text={topic} label="Copy topic" size="xs" />
            {f.retention_days ? <span className="text-xs">kept {f.retention_days} days</span> : null}
          </div>
        }
        actions={!readOnly && <>
          <Button size="sm" color="light" onClick={() => setEditing(true)}>Edit</Button>
          <Button size="sm" color="red" onClick={() => setDeleting(true)}>Delete</Button>
        </>}
      />
      {f.description && <p className="mb-4 max-w-3xl text-sm whitespace-pre-line text-gray-600 dark:text-gray-300">{f.description}</p>}
      <div className="mb-4 flex flex-wrap items-baseline gap-3">
        <span className="text-4xl font-bold tabular-nums" data-testid="feed-value">{formatValue(value, null, f.unit_symbol)}</span>
        <span className="text-sm text-gray-500 dark:text-gray-400">{timeAgo(at, now)}</span>
      </div>
      <ChartPanel owner={owner} feed={f} />
      <DataTablePanel owner={owner} feed={f} readOnly={readOnly} />
      {editing && <EditFeedModal owner={owner} feed={f} open={editing} onClose={() => setEditing(false)} onSaved={onSaved} />}
      <ConfirmModal open={deleting} title="Delete this feed?" confirmLabel="Delete feed"
        onClose={() => setDeleting(false)}
        onConfirm={async () => { await api.deleteFeed(owner, f.key); nav("/feeds"); }}>
        <p>The feed <strong>{f.name || f.key}</strong> and all its stored values will be deleted. This cannot be undone.</p>
        <p>Dashboard blocks that show it will be empty. A board that keeps publishing to <code>{topic}</code> creates it again.</p>
      </ConfirmModal>
    </>
  );
}
