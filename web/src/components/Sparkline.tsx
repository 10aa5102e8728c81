import { useMemo } from "react";

/** A tiny SVG line of recent values (no axes); empty box when there is nothing to draw. */
export function Sparkline({ points, width = 120, height = 32, color = "#0891b2" }: {
  points: Array<[number, number]>;
  width?: number;
  height?: number;
  color?: string;
}) {
  const d = useMemo(() => {
    const pts = points.filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v));
    if (pts.length < 2) return "";
    let t0 = Infinity, t1 = -Infinity, v0 = Infinity, v1 = -Infinity;
    for (const [t, v] of pts) {
      t0 = Math.min(t0, t); t1 = Math.max(t1, t);
      v0 = Math.min(v0, v); v1 = Math.max(v1, v);
    }
    const dt = t1 - t0 || 1;
    const dv = v1 - v0 || 1;
    const pad = 2;
    return pts
      .map(([t, v], i) => {
        const x = ((t - t0) / dt) * (width - 2 * pad) + pad;
        const y = height - pad - ((v - v0) / dv) * (height - 2 * pad);
        return `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join("");
  }, [points, width, height]);
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} className="block" aria-hidden>
      {d ? <path d={d} fill="none" stroke={color} strokeWidth={1.5} strokeLinejoin="round" /> :
        <line x1={2} x2={width - 2} y1={height / 2} y2={height / 2} stroke="currentColor" strokeOpacity={0.15} strokeDasharray="3 3" />}
    </svg>
  );
}
