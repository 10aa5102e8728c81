import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { api } from "../lib/api";
import { propBool, propNum } from "../lib/blocks";
import { SERIES_COLORS } from "../lib/colors";
import { chartResolution, useRawData } from "../lib/resolution";
import { alignSeries, appendPoint, chartToSeries, emptySeries, rawToSeries, type Series } from "../lib/series";
import { toNumber } from "../lib/payload";
import { useLive } from "../state/live";
import { NoFeed, useBlockConfig, type BlockProps } from "./common";

const TimeChart = lazy(() => import("../components/TimeChart"));

export function LineChartBlock(p: BlockProps) {
  const { props, keys } = useBlockConfig(p.block);
  const { hub } = useLive();
  const hours = propNum(props, "historyHours", 24);
  const liveOnly = hours <= 0;
  const spanMs = (liveOnly ? 1 : hours) * 3600_000;
  const raw = useRawData(spanMs);
  const resolution = chartResolution(spanMs, Math.max(100, p.width - 60));
  const [series, setSeries] = useState<Record<string, Series>>({});
  const [error, setError] = useState<string | null>(null);
  const keysKey = keys.join("\n");

  useEffect(() => {
    if (!keys.length || p.width <= 0) return;
    const ac = new AbortController();
    setError(null);
    if (liveOnly) {
      setSeries({});
    } else {
      const end = new Date();
      const start = new Date(end.getTime() - spanMs);
      Promise.all(keys.map((k) => (raw
        ? api.data(p.owner, k, { start_time: start.toISOString(), end_time: end.toISOString(), limit: 1000 }, ac.signal).then((pg) => rawToSeries(pg.items))
        : api.chart(p.owner, k, { start_time: start.toISOString(), end_time: end.toISOString(), resolution }, ac.signal).then(chartToSeries)
      ).then((s) => [k, s] as const))).then(
        (pairs) => { if (!ac.signal.aborted) setSeries(Object.fromEntries(pairs)); },
        (e: Error) => { if (!ac.signal.aborted && e.name !== "AbortError") setError(e.message); },
      );
    }
    const offs = keys.map((k) => hub.onPoint(hub.id(p.owner, k), (pt) => {
      const v = toNumber(pt.value);
      if (v === null) return;
      setSeries((m) => ({ ...m, [k]: appendPoint(m[k] ?? emptySeries(), pt.at / 1000, v, (pt.at - spanMs) / 1000, 5000) }));
    }));
    return () => { ac.abort(); offs.forEach((f) => f()); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [p.owner, keysKey, spanMs, raw, resolution, liveOnly, hub, p.width > 0]);

  const data = useMemo(() => alignSeries(keys.map((k) => ({ t: series[k]?.t ?? [], y: series[k]?.avg ?? [] }))), [series, keysKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const chartSeries = useMemo(() => keys.map((k, i) => ({
    label: p.feeds.get(k)?.name ?? k, color: SERIES_COLORS[i % SERIES_COLORS.length],
  })), [keysKey, p.feeds]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!keys.length) return <NoFeed />;
  const legend = propBool(props, "showLegend", true);
  const h = Math.max(80, p.height - 4);
  return (
    <div className="h-full" data-testid="line-chart">
      {error && <div className="text-xs text-red-600">{error}</div>}
      <Suspense fallback={null}>
        {p.width > 0 && (
          <TimeChart data={data} series={chartSeries} height={h} legend={legend} fit
            yMin={propNum(props, "yAxisMin", null)} yMax={propNum(props, "yAxisMax", null)}
            unit={keys.length === 1 ? p.feeds.get(keys[0])?.unit_symbol : null} />
        )}
      </Suspense>
    </div>
  );
}
