import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { Badge, Button, Label, Modal, ModalBody, ModalFooter, ModalHeader, TextInput, Textarea } from "flowbite-react";
import { api } from "../lib/api";
import type { Feed } from "../lib/types";
import { formatValue } from "../lib/payload";
import { timeAgo } from "../lib/time";
import { limiter } from "../lib/limit";
import { appendPoint, chartToSeries, sparkPoints, type Series } from "../lib/series";
import { classifyTopic, feedTopic } from "../lib/topics";
import { Sparkline } from "../components/Sparkline";
import { Empty, ErrorAlert, Loading, PageHeader } from "../components/ui";
import { useAsync, useNow } from "../state/useAsync";
import { useFeedPoints, useFeedValue, useLive, useRegisterFeeds, useWatchOwner } from "../state/live";
import { useOwner } from "../state/owner";
import { isInstructor, useUser } from "../state/session";

const sparkQueue = limiter(4);
const SPARK_HOURS = 24;

function useSpark(owner: string, key: string): Series | null {
  const [s, setS] = useState<Series | null>(null);
  useEffect(() => {
    const ac = new AbortController();
    const end = new Date();
    const start = new Date(end.getTime() - SPARK_HOURS * 3600_000);
    sparkQueue(() => api.chart(owner, key, { start_time: start.toISOString(), end_time: end.toISOString(), resolution: 30 }, ac.signal))
      .then((r) => setS(chartToSeries(r)), () => setS(null));
    return () => ac.abort();
  }, [owner, key]);
  useFeedPoints(owner, key, (p) => {
    const v = Number(p.value);
    if (!Number.isFinite(v)) return;
    setS((old) => appendPoint(old ?? { t: [], avg: [], min: [], max: [] }, p.at / 1000, v, p.at / 1000 - SPARK_HOURS * 3600, 2000));
  });
  return s;
}

function FeedRow({ owner, base, feed, now }: { owner: string; base: string; feed: Feed; now: number }) {
  const live = useFeedValue(owner, feed.key);
  const spark = useSpark(owner, feed.key);
  const value = live?.value ?? feed.last_value ?? null;
  const at = live?.at ?? feed.updated_at ?? null;
  const fresh = live && now - live.at < 10_000;
  return (
    <li className="grid grid-cols-[1fr_auto] items-center gap-x-4 gap-y-1 border-b border-gray-200 px-4 py-3 last:border-b-0 hover:bg-gray-50 md:grid-cols-[minmax(0,2fr)_minmax(0,1.2fr)_130px_110px] dark:border-gray-700 dark:hover:bg-gray-800/60"
      data-testid="feed-row" data-feed={feed.key}>
      <div className="min-w-0">
        <Link to={`${base}/feeds/${encodeURIComponent(feed.key)}`} className="block truncate font-medium text-cyan-700 hover:underline dark:text-cyan-400">
          {feed.name || feed.key}
        </Link>
        <div className="truncate font-mono text-xs text-gray-500 dark:text-gray-400" title={feedTopic(owner, feed)}>{feed.key}</div>
      </div>
      <div className={`truncate text-right text-lg font-semibold tabular-nums md:text-left ${fresh ? "text-cyan-700 dark:text-cyan-300" : ""}`}
        data-testid="feed-last-value" title={value ?? ""}>
        {formatValue(value, null, feed.unit_symbol)}
      </div>
      <div className="col-span-1 text-cyan-600 md:col-span-1"><Sparkline points={spark ? sparkPoints(spark) : []} /></div>
      <div className="text-right text-xs text-gray-500 md:text-left dark:text-gray-400" title={at ? String(at) : ""}>
        {timeAgo(at, now)}
      </div>
    </li>
  );
}

function NewFeedModal({ owner, open, onClose }: { owner: string; open: boolean; onClose: () => void }) {
  const nav = useNavigate();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) { setErr("Give the feed a name."); return; }
    setBusy(true);
    setErr(null);
    try {
      const f = await api.createFeed(owner, { name: name.trim(), description: description.trim() || undefined });
      onClose();
      nav(`/feeds/${encodeURIComponent(f.key)}`);
    } catch (e2) {
      setErr((e2 as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal show={open} onClose={onClose} size="md" dismissible>
      <form onSubmit={submit}>
        <ModalHeader>New feed</ModalHeader>
        <ModalBody className="space-y-4">
          <p className="text-sm text-gray-500 dark:text-gray-400">Feeds are also created by themselves when a board first publishes to one.</p>
          <div>
            <Label htmlFor="nf-name" className="mb-1 block">Name</Label>
            <TextInput id="nf-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={128} autoFocus />
          </div>
          <div>
            <Label htmlFor="nf-desc" className="mb-1 block">Description</Label>
            <Textarea id="nf-desc" value={description} onChange={(e) => setDescription(e.target.value)} rows={2} />
          </div>
          {err && <p className="text-sm text-red-600 dark:text-red-400">{err}</p>}
        </ModalBody>
        <ModalFooter>
          <Button type="submit" disabled={busy}>Create</Button>
          <Button color="alternative" onClick={onClose}>Cancel</Button>
        </ModalFooter>
      </form>
    </Modal>
  );
}

function OpenUser() {
  const nav = useNavigate();
  const [name, setName] = useState("");
  return (
    <form className="flex gap-2" onSubmit={(e) => { e.preventDefault(); if (name.trim()) nav(`/users/${encodeURIComponent(name.trim().toLowerCase())}/feeds`); }}>
      <TextInput sizing="sm" placeholder="user name" value={name} onChange={(e) => setName(e.target.value)} aria-label="Open a student's feeds" />
      <Button size="sm" color="light" type="submit">Open</Button>
    </form>
  );
}

/**
 * A board's first value to a new feed creates that feed on the server: when a live message
 * names a feed the list does not have (or a group, whose feeds it may create), fetch the list
 * again, at most about once a second, without blanking the page.
 */
function useNewFeedsRefresh(owner: string, feeds: Feed[] | undefined, setFeeds: (f: Feed[]) => void) {
  const { client } = useLive();
  const keys = useMemo(() => new Set((feeds ?? []).map((f) => f.key)), [feeds]);
  const state = useRef({ keys, setFeeds, timer: 0 });
  state.current.keys = keys;
  state.current.setFeeds = setFeeds;
  useEffect(() => {
    const st = state.current;
    const off = client.onMessage((topic) => {
      if (!topic.startsWith(`${owner}/`) || st.timer) return;
      const info = classifyTopic(topic);
      const group = /^[^/]+\/(groups|g)\/[^/]+(\/(json|csv))?$/.test(topic);
      const unknownFeed = info.kind === "feed" && !st.keys.has(info.key.toLowerCase().replace(/_/g, "-"));
      if (!group && !unknownFeed) return;
      st.timer = window.setTimeout(() => {
        st.timer = 0;
        api.feeds(owner).then((f) => st.setFeeds(f), () => { /* the next message tries again */ });
      }, 1000);
    });
    return () => {
      off();
      if (st.timer) window.clearTimeout(st.timer);
      st.timer = 0;
    };
  }, [client, owner]);
}

export default function FeedsPage() {
  const { owner, readOnly, base } = useOwner();
  const user = useUser();
  const now = useNow(5000);
  const [creating, setCreating] = useState(false);
  useWatchOwner(owner);
  const feeds = useAsync((s) => api.feeds(owner, s), [owner]);
  useRegisterFeeds(owner, feeds.data);
  useNewFeedsRefresh(owner, feeds.data, feeds.setData);
  const list = [...(feeds.data ?? [])].sort((a, b) => (a.name || a.key).localeCompare(b.name || b.key));

  return (
    <>
      <PageHeader
        title={readOnly ? <>Feeds of <span className="font-mono">{owner}</span></> : "Feeds"}
        subtitle={readOnly ? <span className="flex items-center gap-3"><Badge color="gray">read-only</Badge>
          <Link to={`${base}/dashboards`} className="text-cyan-700 underline dark:text-cyan-400">their dashboards</Link></span>
          : <>Each feed is one stream of values from your boards. Topic: <code className="font-mono">{owner}/feeds/&lt;key&gt;</code></>}
        actions={<>
          {isInstructor(user) && <OpenUser />}
          {!readOnly && <Button size="sm" onClick={() => setCreating(true)}>New feed</Button>}
        </>}
      />
      {feeds.error && <ErrorAlert error={feeds.error} onRetry={feeds.reload} />}
      {feeds.loading && !feeds.data ? <Loading /> : feeds.data && list.length === 0 ? (
        <Empty title="No feeds yet">
          {readOnly ? "This user has no feeds." : <>Publish from a board and the feed appears here — see <Link className="text-cyan-700 underline dark:text-cyan-400" to="/connect">Connect a device</Link>.</>}
        </Empty>
      ) : list.length > 0 && (
        <div className="overflow-hidden rounded-lg border border-gray-200 bg-white shadow-sm dark:border-gray-700 dark:bg-gray-800">
          <div className="hidden grid-cols-[minmax(0,2fr)_minmax(0,1.2fr)_130px_110px] gap-x-4 border-b border-gray-200 bg-gray-50 px-4 py-2 text-xs font-semibold text-gray-500 uppercase md:grid dark:border-gray-700 dark:bg-gray-700/50 dark:text-gray-400">
            <span>Feed</span><span>Last value</span><span>Last 24 h</span><span>Updated</span>
          </div>
          <ul>
            {list.map((f) => <FeedRow key={f.key} owner={owner} base={base} feed={f} now={now} />)}
          </ul>
        </div>
      )}
      {creating && <NewFeedModal owner={owner} open={creating} onClose={() => setCreating(false)} />}
    </>
  );
}
