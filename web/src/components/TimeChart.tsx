// A uPlot time chart that follows its container's width and the colour theme.
// Loaded lazily (uPlot stays out of the first download).
import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  color: string;
  /** Draw as a faint band edge (min/max) instead of a line. */
  band?: boolean;
}

export interface TimeChartProps {
  /** [x seconds, y1, y2, …] */
  data: Array<Array<number | null>>;
  series: ChartSeries[];
  height: number;
  yMin?: number | null;
  yMax?: number | null;
  unit?: string | null;
  legend?: boolean;
  /** Index pairs [upper, lower] of series (1-based, as in data) to fill between. */
  bands?: Array<[number, number]>;
  /** Fixed x range in seconds (keeps the window stable while live points arrive). */
  xRange?: [number, number] | null;
  /** `height` is the whole box, legend included (dashboard blocks). */
  fit?: boolean;
}

/** Plot height so that plot + legend fill `total` pixels. */
function fitHeight(u: uPlot, total: number): number {
  const legend = u.root.querySelector(".u-legend") as HTMLElement | null;
  return Math.max(60, total - (legend?.offsetHeight ?? 0));
}

function useDark(): boolean {
  const [dark, setDark] = useState(() => document.documentElement.classList.contains("dark"));
  useEffect(() => {
    const mo = new MutationObserver(() => setDark(document.documentElement.classList.contains("dark")));
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    return () => mo.disconnect();
  }, []);
  return dark;
}

export default function TimeChart(props: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const dark = useDark();
  const [width, setWidth] = useState(0);
  const propsRef = useRef(props);
  propsRef.current = props;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.floor(el.clientWidth)));
    ro.observe(el);
    setWidth(Math.floor(el.clientWidth));
    return () => ro.disconnect();
  }, []);

  const seriesKey = JSON.stringify([props.series, props.bands, props.yMin, props.yMax, props.unit, props.legend]);

  // (Re)create the chart when its structure or the theme changes.
  useEffect(() => {
    const el = box.current;
    if (!el || width <= 0) return;
    const p = propsRef.current;
    const axis = dark ? "#9ca3af" : "#4b5563";
    const grid = dark ? "rgba(255,255,255,0.08)" : "rgba(0,0,0,0.07)";
    const fmtY = (v: number) => {
      const a = Math.abs(v);
      const s = a >= 1e6 ? v.toExponential(1) : a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(1) : v.toPrecision(2);
      return p.unit ? `${s}` : s;
    };
    const fixedRange = (p.yMin ?? null) !== null || (p.yMax ?? null) !== null;
    const opts: uPlot.Options = {
      width,
      height: p.height,
      legend: { show: p.legend ?? true, live: true },
      cursor: { drag: { x: true, y: false } },
      scales: {
        x: { time: true, ...(p.xRange ? { range: () => propsRef.current.xRange ?? [0, 1] } : {}) },
        y: fixedRange
          ? { range: (_u, lo, hi) => [p.yMin ?? lo, p.yMax ?? hi] as uPlot.Range.MinMax }
          : {},
      },
      axes: [
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
        {
          stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 52,
          values: (_u, vals) => vals.map((v) => (v === null ? "" : fmtY(v))),
          label: p.unit || undefined,
        },
      ],
      series: [
        {},
        ...p.series.map((s) => ({
          label: s.label,
          stroke: s.band ? `${s.color}55` : s.color,
          width: s.band ? 1 : 1.75,
          spanGaps: true,
          points: { show: false },
        })),
      ],
      bands: (p.bands ?? []).map(([hi, lo]) => ({ series: [hi, lo] as [number, number], fill: `${p.series[hi - 1]?.color ?? "#888888"}22` })),
    };
    const u = new uPlot(opts, p.data as uPlot.AlignedData, el);
    let legendRo: ResizeObserver | null = null;
    if (p.fit) {
      u.setSize({ width, height: fitHeight(u, p.height) });
      // The legend's height settles once uPlot's stylesheet has loaded: fit again then.
      const legend = u.root.querySelector(".u-legend");
      if (legend) {
        legendRo = new ResizeObserver(() => {
          const h = fitHeight(u, propsRef.current.height);
          if (Math.abs(h - u.height) > 1) u.setSize({ width: u.width, height: h });
        });
        legendRo.observe(legend);
      }
    }
    plot.current = u;
    return () => {
      legendRo?.disconnect();
      u.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [seriesKey, dark, props.height, width > 0]);

  useEffect(() => {
    const u = plot.current;
    if (u && width > 0) u.setSize({ width, height: props.fit ? fitHeight(u, props.height) : props.height });
  }, [width, props.height, props.fit]);

  useEffect(() => {
    plot.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data, props.xRange]);

  return <div ref={box} className="perch-chart w-full" />;
}
