// Blocks that show values: gauge, text/value, stream, indicator.
import { useEffect, useState } from "react";
import { api } from "../lib/api";
import { propBool, propNum } from "../lib/blocks";
import { bandColor, bandsFromWarnings, indicatorColor, parseBands, parseRules } from "../lib/conditions";
import { safeColor } from "../lib/colors";
import { formatValue, toNumber } from "../lib/payload";
import { formatDateTime, formatTime, parseTime, timeAgo } from "../lib/time";
import { useFeedValue, useLive } from "../state/live";
import { useNow } from "../state/useAsync";
import { NoFeed, useBlockConfig, type BlockProps } from "./common";

function arcPath(cx: number, cy: number, r: number, a0: number, a1: number): string {
  const p = (a: number) => [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  const [x0, y0] = p(a0);
  const [x1, y1] = p(a1);
  const large = a1 - a0 > Math.PI ? 1 : 0;
  return `M${x0.toFixed(2)},${y0.toFixed(2)}A${r},${r} 0 ${large} 1 ${x1.toFixed(2)},${y1.toFixed(2)}`;
}

export function GaugeBlock(p: BlockProps) {
  const { props, key } = useBlockConfig(p.block);
  const v = useFeedValue(p.owner, key);
  if (!key) return <NoFeed />;
  const min = propNum(props, "minValue", 0);
  const max = propNum(props, "maxValue", 100);
  const dec = propNum(props, "decimalPlaces", null);
  const bands = props.bands?.trim()
    ? parseBands(props.bands)
    : bandsFromWarnings(min, propNum(props, "minWarning", null), propNum(props, "maxWarning", null));
  const n = toNumber(v?.value);
  const frac = n === null || max <= min ? 0 : Math.min(1, Math.max(0, (n - min) / (max - min)));
  const A0 = Math.PI, A1 = 2 * Math.PI;
  const ang = (x: number) => A0 + (A1 - A0) * Math.min(1, Math.max(0, (x - min) / (max - min || 1)));
  const color = n === null ? "#9ca3af" : bandColor(n, bands, "#0891b2");
  const unit = props.label || p.feeds.get(key)?.unit_symbol || "";
  return (
    <div className="flex h-full flex-col items-center justify-center" data-testid="gauge">
      <svg viewBox="0 0 200 118" className="h-full max-h-[80%] w-full" role="img" aria-label={`${p.block.name}: ${v?.value ?? "no value"}`}>
        <path d={arcPath(100, 100, 80, A0, A1)} fill="none" stroke="currentColor" strokeOpacity={0.12} strokeWidth={18} />
        {bands.map((b, i) => {
          const to = i + 1 < bands.length ? bands[i + 1].from : max;
          if (to <= min || b.from >= max) return null;
          return <path key={i} d={arcPath(100, 100, 96, ang(Math.max(min, b.from)), ang(Math.min(max, to)))} fill="none" stroke={b.color} strokeWidth={4} />;
        })}
        {frac > 0 && <path d={arcPath(100, 100, 80, A0, A0 + (A1 - A0) * frac)} fill="none" stroke={color} strokeWidth={18} />}
        <text x={100} y={92} textAnchor="middle" className="fill-current" fontSize={n !== null && String(n).length > 7 ? 20 : 28} fontWeight={700}>
          {n !== null ? formatValue(v!.value, dec) : v ? v.value.slice(0, 8) : "—"}
        </text>
        <text x={100} y={112} textAnchor="middle" className="fill-current" fontSize={11} opacity={0.6}>{unit}</text>
        <text x={20} y={116} textAnchor="middle" className="fill-current" fontSize={10} opacity={0.6}>{min}</text>
        <text x={180} y={116} textAnchor="middle" className="fill-current" fontSize={10} opacity={0.6}>{max}</text>
      </svg>
    </div>
  );
}

export function TextBlock(p: BlockProps) {
  const { props, key } = useBlockConfig(p.block);
  const v = useFeedValue(p.owner, key);
  const now = useNow(5000);
  if (!key) return <NoFeed />;
  const size = Math.min(96, Math.max(12, propNum(props, "fontSize", 32)));
  const unit = props.label || p.feeds.get(key)?.unit_symbol || "";
  return (
    <div className="flex h-full flex-col items-center justify-center overflow-hidden text-center">
      <div className="max-w-full font-semibold break-words tabular-nums" style={{ fontSize: `${size}px`, lineHeight: 1.1, color: props.fontColor ? safeColor(props.fontColor, "inherit") : undefined }}
        data-testid="text-value">
        {formatValue(v?.value, propNum(props, "decimalPlaces", null), unit)}
      </div>
      {propBool(props, "showTimestamp", true) && <div className="mt-1 text-xs text-gray-500 dark:text-gray-400">{timeAgo(v?.at ?? null, now)}</div>}
    </div>
  );
}

interface StreamRow {
  id: string;
  at: number;
  key: string;
  text: string;
  notice?: "errors" | "throttle";
}

export function StreamBlock(p: BlockProps) {
  const { props, keys } = useBlockConfig(p.block);
  const { hub } = useLive();
  const count = Math.min(200, Math.max(1, propNum(props, "count", 20)));
  const [rows, setRows] = useState<StreamRow[]>([]);
  const keysKey = keys.join("\n");

  useEffect(() => {
    const ac = new AbortController();
    setRows([]);
    Promise.all(keys.map((k) => api.data(p.owner, k, { limit: count }, ac.signal).then((pg) => pg.items.map((d) => ({
      id: `${k}/${d.id}`, at: parseTime(d.created_at) ?? 0, key: k, text: d.value,
    }))).catch(() => [] as StreamRow[]))).then((lists) => {
      if (ac.signal.aborted) return;
      setRows((live) => [...live, ...lists.flat()].sort((a, b) => b.at - a.at).slice(0, count));
    });
    const offs = keys.map((k) => hub.onPoint(hub.id(p.owner, k), (pt) => {
      setRows((rs) => [{ id: `live/${k}/${pt.at}/${Math.random()}`, at: pt.at, key: k, text: pt.value }, ...rs].slice(0, count));
    }));
    if (propBool(props, "errors", false)) {
      offs.push(hub.onNotice((n) => {
        if (n.owner !== p.owner) return;
        setRows((rs) => [{ id: `n/${n.at}/${Math.random()}`, at: n.at, key: n.kind, text: n.text, notice: n.kind }, ...rs].slice(0, count));
      }));
    }
    return () => { ac.abort(); offs.forEach((f) => f()); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [p.owner, keysKey, count, props.errors, hub]);

  if (!keys.length) return <NoFeed />;
  const showTime = propBool(props, "showTimestamp", true);
  const showName = propBool(props, "showName", keys.length > 1);
  return (
    <ul className="h-full overflow-y-auto rounded bg-gray-900 p-2 font-mono text-xs leading-5 text-green-400" data-testid="stream">
      {rows.length === 0 && <li className="text-gray-500">waiting for values…</li>}
      {rows.map((r) => (
        <li key={r.id} className={`truncate ${r.notice ? (r.notice === "throttle" ? "text-amber-400" : "text-red-400") : ""}`} title={`${formatDateTime(r.at)} ${r.text}`}>
          {showTime && <span className="text-gray-500">{formatTime(r.at)} </span>}
          {showName && <span className="text-cyan-400">{r.notice ? r.notice : p.feeds.get(r.key)?.name ?? r.key} </span>}
          {r.text}
        </li>
      ))}
    </ul>
  );
}

export function IndicatorBlock(p: BlockProps) {
  const { props, key } = useBlockConfig(p.block);
  const v = useFeedValue(p.owner, key);
  if (!key) return <NoFeed />;
  const { rules } = parseRules(props.conditions);
  const off = safeColor(props.offColor, "#6b7280");
  const color = indicatorColor(v?.value, rules, off);
  return (
    <div className="flex h-full flex-col items-center justify-center gap-2">
      <div className="h-14 w-14 rounded-full shadow-inner ring-4 ring-black/5 dark:ring-white/10" style={{ backgroundColor: color, boxShadow: color !== off ? `0 0 18px ${color}` : undefined }}
        data-testid="indicator" data-color={color} />
      <div className="truncate font-mono text-sm text-gray-600 dark:text-gray-300">{v?.value ?? "—"}</div>
    </div>
  );
}
