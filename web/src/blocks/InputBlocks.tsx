// Blocks that send values: toggle, slider, momentary button, colour picker, number pad.
import { useEffect, useRef, useState } from "react";
import { normalizeColor, numberPadKey, numberPadPayload, sliderPayload, toggleState, toNumber } from "../lib/payload";
import { propNum } from "../lib/blocks";
import { safeColor } from "../lib/colors";
import { useFeedValue } from "../state/live";
import { NoFeed, ReportedState, useBlockConfig, useSend, type BlockProps } from "./common";

export function ToggleBlock(p: BlockProps) {
  const { props, key } = useBlockConfig(p.block);
  const stateKey = props.stateFeed?.trim() || key;
  const reported = useFeedValue(p.owner, stateKey);
  const { send, busy } = useSend(p.owner, p.feeds, key, p.readOnly);
  if (!key) return <NoFeed />;
  const on = toggleState(reported?.value, props.onValue, props.offValue);
  const onColor = safeColor(props.onColor, "#22c55e");
  const offColor = safeColor(props.offColor, "#6b7280");
  return (
    <div className="flex h-full flex-col items-center justify-center gap-2">
      <button type="button" role="switch" aria-checked={on === true} disabled={p.readOnly || busy}
        data-testid="toggle" data-state={on === null ? "unknown" : on ? "on" : "off"}
        onClick={() => void send(on ? props.offValue : props.onValue)}
        className="relative h-12 w-24 rounded-full transition-colors focus:ring-4 focus:ring-cyan-300 focus:outline-none disabled:cursor-not-allowed disabled:opacity-60 dark:focus:ring-cyan-800"
        style={{ backgroundColor: on ? onColor : offColor }}>
        <span className={`absolute top-1 h-10 w-10 rounded-full bg-white shadow transition-all ${on ? "left-[3.25rem]" : "left-1"}`} />
      </button>
      <div className="text-lg font-semibold">{on === null ? "?" : on ? props.onText : props.offText}</div>
      <ReportedState value={reported?.value} at={reported?.at} />
    </div>
  );
}

export function SliderBlock(p: BlockProps) {
  const { props, key } = useBlockConfig(p.block);
  const stateKey = props.stateFeed?.trim() || key;
  const reported = useFeedValue(p.owner, stateKey);
  const { send } = useSend(p.owner, p.feeds, key, p.readOnly);
  const min = propNum(props, "min", 0);
  const max = propNum(props, "max", 100);
  const step = propNum(props, "step", 1) || 1;
  const rep = toNumber(reported?.value);
  const [local, setLocal] = useState<number | null>(null);
  // The value just sent stays shown until the board reports a new state.
  const [sent, setSent] = useState<number | null>(null);
  useEffect(() => setSent(null), [reported?.at]);
  const shown = local ?? sent ?? rep ?? min;
  const commit = () => {
    if (local === null) return;
    const v = sliderPayload(local, min, max, step);
    setLocal(null);
    setSent(Number(v));
    if (v !== reported?.value) void send(v);
  };
  if (!key) return <NoFeed />;
  return (
    <div className="flex h-full flex-col justify-center gap-2 px-1">
      <div className="text-center text-2xl font-semibold tabular-nums">
        {sliderPayload(shown, min, max, step)}{props.label ? ` ${props.label}` : ""}
      </div>
      <input type="range" min={min} max={max} step={step} value={shown} disabled={p.readOnly}
        aria-label={p.block.name || "slider"} data-testid="slider"
        onChange={(e) => setLocal(Number(e.target.value))}
        onPointerUp={commit} onKeyUp={commit} onBlur={commit}
        className="h-2 w-full cursor-pointer appearance-none rounded-lg bg-gray-200 accent-cyan-600 dark:bg-gray-700" />
      <div className="flex justify-between text-xs text-gray-500"><span>{min}</span><span>{max}</span></div>
      <ReportedState value={reported?.value} at={reported?.at} />
    </div>
  );
}

export function MomentaryBlock(p: BlockProps) {
  const { props, key } = useBlockConfig(p.block);
  const { send } = useSend(p.owner, p.feeds, key, p.readOnly);
  const [pressed, setPressed] = useState(false);
  const last = useFeedValue(p.owner, key);
  if (!key) return <NoFeed />;
  const press = () => {
    if (pressed || p.readOnly) return;
    setPressed(true);
    void send(props.value ?? "1");
  };
  const release = () => {
    if (!pressed) return;
    setPressed(false);
    if (props.release !== undefined && props.release !== "") void send(props.release);
  };
  const bg = safeColor(props.backgroundColor, "#0891b2");
  return (
    <div className="flex h-full flex-col items-center justify-center gap-2">
      <button type="button" disabled={p.readOnly} data-testid="momentary"
        onPointerDown={(e) => { e.currentTarget.setPointerCapture?.(e.pointerId); press(); }}
        onPointerUp={release} onPointerCancel={release} onLostPointerCapture={release}
        onKeyDown={(e) => { if ((e.key === " " || e.key === "Enter") && !e.repeat) { e.preventDefault(); press(); } }}
        onKeyUp={(e) => { if (e.key === " " || e.key === "Enter") release(); }}
        onContextMenu={(e) => e.preventDefault()}
        className={`min-h-16 w-full max-w-48 touch-none rounded-xl px-4 py-4 text-lg font-bold text-white shadow select-none transition-transform disabled:opacity-60 ${pressed ? "scale-95 brightness-90" : ""}`}
        style={{ backgroundColor: bg }}>
        {props.text || "PRESS"}
      </button>
      <ReportedState value={last?.value} at={last?.at} label="last" />
    </div>
  );
}

export function ColorBlock(p: BlockProps) {
  const { props, key } = useBlockConfig(p.block);
  const stateKey = props.stateFeed?.trim() || key;
  const reported = useFeedValue(p.owner, stateKey);
  const { send } = useSend(p.owner, p.feeds, key, p.readOnly);
  const rep = normalizeColor(reported?.value ?? "") ?? "#000000";
  const [local, setLocal] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);
  if (!key) return <NoFeed />;
  const change = (v: string) => {
    const c = normalizeColor(v);
    if (!c) return;
    setLocal(c);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => { void send(c); setLocal(null); }, 250);
  };
  const shown = local ?? rep;
  return (
    <div className="flex h-full flex-col items-center justify-center gap-2">
      <label className="relative block h-16 w-16 cursor-pointer overflow-hidden rounded-full border-4 border-white shadow ring-1 ring-gray-300 dark:border-gray-700 dark:ring-gray-600"
        style={{ backgroundColor: shown }}>
        <input type="color" value={shown} disabled={p.readOnly} onChange={(e) => change(e.target.value)}
          className="absolute inset-0 h-full w-full cursor-pointer opacity-0" aria-label={p.block.name || "colour"} data-testid="color" />
      </label>
      <div className="font-mono text-sm">{shown}</div>
      <ReportedState value={reported?.value} at={reported?.at} />
    </div>
  );
}

const PAD = ["7", "8", "9", "⌫", "4", "5", "6", "C", "1", "2", "3", "±", "0", "."];

export function NumberPadBlock(p: BlockProps) {
  const { props, key } = useBlockConfig(p.block);
  const stateKey = props.stateFeed?.trim() || key;
  const reported = useFeedValue(p.owner, stateKey);
  const { send, busy } = useSend(p.owner, p.feeds, key, p.readOnly);
  const [typed, setTyped] = useState("");
  const [err, setErr] = useState<string | null>(null);
  if (!key) return <NoFeed />;
  const submit = () => {
    const r = numberPadPayload(typed);
    if ("error" in r) { setErr(r.error); return; }
    setErr(null);
    setTyped("");
    void send(r.value);
  };
  return (
    <div className="flex h-full flex-col gap-1.5">
      <div className="rounded-md border border-gray-300 bg-gray-50 px-2 py-1 text-right font-mono text-xl tabular-nums dark:border-gray-600 dark:bg-gray-900"
        data-testid="numpad-display" aria-live="polite">
        {typed || <span className="text-gray-400">0</span>}
      </div>
      <div className="grid flex-1 grid-cols-4 gap-1">
        {PAD.map((k) => (
          <button key={k} type="button" disabled={p.readOnly} onClick={() => { setErr(null); setTyped((t) => numberPadKey(t, k)); }}
            className="rounded-md bg-gray-100 font-semibold hover:bg-gray-200 active:bg-gray-300 disabled:opacity-50 dark:bg-gray-700 dark:hover:bg-gray-600">
            {k}
          </button>
        ))}
        <button type="button" disabled={p.readOnly || busy} onClick={submit} data-testid="numpad-send"
          className="col-span-2 rounded-md bg-cyan-700 font-semibold text-white hover:bg-cyan-800 disabled:opacity-50">Send</button>
      </div>
      {err ? <div className="text-center text-xs text-red-600">{err}</div> : <ReportedState value={reported?.value} at={reported?.at} />}
    </div>
  );
}
