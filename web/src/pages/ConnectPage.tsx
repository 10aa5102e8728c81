import { useMemo, useState } from "react";
import { Link } from "react-router";
import { Label, Select, TextInput } from "flowbite-react";
import { api } from "../lib/api";
import { generateCode, TARGETS, type Target } from "../lib/codegen";
import { feedTopic } from "../lib/topics";
import { CopyButton, ErrorAlert, PageHeader } from "../components/ui";
import { useAsync } from "../state/useAsync";
import { useUser } from "../state/session";

export default function ConnectPage() {
  const user = useUser();
  const server = useAsync((s) => api.server().catch((e) => { if (s.aborted) throw e; return null; }), []);
  const feeds = useAsync((s) => api.feeds(user.username, s), [user.username]);
  const [target, setTarget] = useState<Target>("photon2");
  const [feedKey, setFeedKey] = useState("temperature");
  const [commandKey, setCommandKey] = useState("led");
  const [key, setKey] = useState("");

  const host = server.data?.mqtt_host || window.location.hostname;
  const port = server.data?.mqtt_port || 1883;
  const httpUrl = server.data?.http_url || window.location.origin;
  const byKey = useMemo(() => new Map((feeds.data ?? []).map((f) => [f.key, f])), [feeds.data]);
  const topicOf = (k: string) => (k ? feedTopic(user.username, byKey.get(k) ?? { key: k, mqtt_topic: null }) : "");
  const code = generateCode(target, {
    host, port, user: user.username, key,
    valueTopic: topicOf(feedKey || "temperature"),
    commandTopic: topicOf(commandKey),
    stateTopic: commandKey ? topicOf(`${commandKey}-state`) : "",
    httpUrl, feedKey: feedKey || "temperature",
  });
  const meta = TARGETS.find((t) => t.id === target)!;

  return (
    <>
      <PageHeader title="Connect a device"
        subtitle="Ready-to-paste code for your board, filled in with this server's address and your user name." />
      {server.error && <ErrorAlert error={server.error} />}
      <div className="mb-4 grid gap-4 rounded-lg border border-gray-200 bg-white p-4 shadow-sm sm:grid-cols-2 lg:grid-cols-4 dark:border-gray-700 dark:bg-gray-800">
        <div>
          <Label htmlFor="c-target" className="mb-1 block">Device / tool</Label>
          <Select id="c-target" sizing="sm" value={target} onChange={(e) => setTarget(e.target.value as Target)} data-testid="connect-target">
            {TARGETS.map((t) => <option key={t.id} value={t.id}>{t.label}</option>)}
          </Select>
        </div>
        <div>
          <Label htmlFor="c-feed" className="mb-1 block">Feed it publishes to</Label>
          <TextInput id="c-feed" sizing="sm" list="c-feeds" value={feedKey} onChange={(e) => setFeedKey(e.target.value.trim())} />
        </div>
        <div>
          <Label htmlFor="c-cmd" className="mb-1 block">Feed it obeys (optional)</Label>
          <TextInput id="c-cmd" sizing="sm" list="c-feeds" value={commandKey} placeholder="none" onChange={(e) => setCommandKey(e.target.value.trim())} />
        </div>
        <div>
          <Label htmlFor="c-key" className="mb-1 block">MQTT key (stays in this page)</Label>
          <TextInput id="c-key" sizing="sm" type="password" autoComplete="off" value={key} placeholder="YOUR_MQTT_KEY" onChange={(e) => setKey(e.target.value)} />
        </div>
        <datalist id="c-feeds">{(feeds.data ?? []).map((f) => <option key={f.key} value={f.key}>{f.name}</option>)}</datalist>
      </div>
      <div className="mb-3 flex flex-wrap gap-x-6 gap-y-1 text-sm text-gray-600 dark:text-gray-300">
        <span>Server: <code className="font-mono">{host}</code></span>
        <span>MQTT port: <code className="font-mono">{port}</code></span>
        <span>User name: <code className="font-mono">{user.username}</code></span>
        <span>Password: an <Link to="/keys" className="text-cyan-700 underline dark:text-cyan-400">MQTT key</Link></span>
      </div>
      <div className="overflow-hidden rounded-lg border border-gray-200 dark:border-gray-700">
        <div className="flex items-center justify-between bg-gray-100 px-3 py-2 text-sm dark:bg-gray-700">
          <span className="font-mono">{meta.file}</span>
          <CopyButton text={code} size="xs" />
        </div>
        <pre className="max-h-[70vh] overflow-auto bg-gray-900 p-4 text-xs leading-relaxed text-gray-100 sm:text-sm" data-testid="generated-code"><code>{code}</code></pre>
      </div>
      {commandKey && (
        <p className="mt-3 text-sm text-gray-600 dark:text-gray-300">
          The board reports what it did on <code className="font-mono">{topicOf(`${commandKey}-state`)}</code>: choose that feed as the
          “state feed” of a dashboard toggle to see the board's real state.
        </p>
      )}
    </>
  );
}
