// Dashboard block types: what each one needs, its default properties and size,
// and typed access to Adafruit IO's string-valued `properties`.
import type { Block, Feed } from "./types";

export type FeedArity = "one" | "many";

export interface PropSpec {
  key: string;
  label: string;
  kind: "text" | "number" | "color" | "bool" | "select" | "rules" | "feed";
  help?: string;
  options?: Array<{ value: string; label: string }>;
  placeholder?: string;
}

export interface BlockType {
  type: string;
  label: string;
  description: string;
  /** Publishes values to its feed (toggle, slider, …). */
  sends: boolean;
  feeds: FeedArity;
  /** Default and minimum size in grid units (w columns of 12, h rows). */
  w: number;
  h: number;
  minW: number;
  minH: number;
  defaults: Record<string, string>;
  props: PropSpec[];
}

const stateFeedProp: PropSpec = {
  key: "stateFeed",
  label: "State feed",
  kind: "feed",
  help: "Feed where the board reports its state (for example led-state). Empty: the feed's own latest value.",
};

export const BLOCK_TYPES: BlockType[] = [
  {
    type: "line_chart", label: "Line chart", description: "History of one or several feeds, updated live.",
    sends: false, feeds: "many", w: 6, h: 5, minW: 3, minH: 3,
    defaults: { historyHours: "24", yAxisMin: "", yAxisMax: "", decimalPlaces: "", showLegend: "yes" },
    props: [
      { key: "historyHours", label: "Time range", kind: "select", options: [
        { value: "1", label: "1 hour" }, { value: "6", label: "6 hours" }, { value: "24", label: "24 hours" },
        { value: "168", label: "7 days" }, { value: "720", label: "30 days" },
      ] },
      { key: "yAxisMin", label: "Y min", kind: "number", placeholder: "auto" },
      { key: "yAxisMax", label: "Y max", kind: "number", placeholder: "auto" },
      { key: "showLegend", label: "Legend", kind: "bool" },
    ],
  },
  {
    type: "gauge", label: "Gauge", description: "A dial between a minimum and a maximum, with colour bands.",
    sends: false, feeds: "one", w: 3, h: 4, minW: 2, minH: 3,
    defaults: { minValue: "0", maxValue: "100", label: "", decimalPlaces: "1", bands: "" },
    props: [
      { key: "minValue", label: "Minimum", kind: "number" },
      { key: "maxValue", label: "Maximum", kind: "number" },
      { key: "label", label: "Unit label", kind: "text", placeholder: "°C" },
      { key: "decimalPlaces", label: "Decimals", kind: "number" },
      { key: "bands", label: "Colour bands", kind: "text", placeholder: "0:green, 60:amber, 80:red",
        help: "from:colour pairs; each band runs up to the next. Colours: names or #hex." },
    ],
  },
  {
    type: "toggle_button", label: "Toggle", description: "Switches the board between two values.",
    sends: true, feeds: "one", w: 3, h: 3, minW: 2, minH: 2,
    defaults: { onText: "ON", offText: "OFF", onValue: "ON", offValue: "OFF", onColor: "#22c55e", offColor: "#6b7280", stateFeed: "" },
    props: [
      { key: "onValue", label: "Value sent for on", kind: "text" },
      { key: "offValue", label: "Value sent for off", kind: "text" },
      { key: "onText", label: "On label", kind: "text" },
      { key: "offText", label: "Off label", kind: "text" },
      { key: "onColor", label: "On colour", kind: "color" },
      stateFeedProp,
    ],
  },
  {
    type: "slider", label: "Slider", description: "Sends a number between a minimum and a maximum.",
    sends: true, feeds: "one", w: 4, h: 3, minW: 2, minH: 2,
    defaults: { min: "0", max: "100", step: "1", label: "", stateFeed: "" },
    props: [
      { key: "min", label: "Minimum", kind: "number" },
      { key: "max", label: "Maximum", kind: "number" },
      { key: "step", label: "Step", kind: "number" },
      { key: "label", label: "Unit label", kind: "text" },
      stateFeedProp,
    ],
  },
  {
    type: "momentary_button", label: "Momentary button", description: "Sends one value when pressed and another when released.",
    sends: true, feeds: "one", w: 2, h: 3, minW: 2, minH: 2,
    defaults: { text: "PRESS", value: "1", release: "0", backgroundColor: "#0891b2" },
    props: [
      { key: "text", label: "Label", kind: "text" },
      { key: "value", label: "Value sent on press", kind: "text" },
      { key: "release", label: "Value sent on release", kind: "text", help: "Empty: nothing is sent on release." },
      { key: "backgroundColor", label: "Colour", kind: "color" },
    ],
  },
  {
    type: "text", label: "Text / value", description: "The latest value, large.",
    sends: false, feeds: "one", w: 3, h: 3, minW: 2, minH: 2,
    defaults: { fontSize: "32", label: "", decimalPlaces: "", showTimestamp: "yes" },
    props: [
      { key: "label", label: "Unit label", kind: "text" },
      { key: "decimalPlaces", label: "Decimals", kind: "number", placeholder: "as sent" },
      { key: "fontSize", label: "Font size", kind: "select", options: [
        { value: "18", label: "Small" }, { value: "32", label: "Medium" }, { value: "48", label: "Large" },
      ] },
      { key: "showTimestamp", label: "Show time", kind: "bool" },
    ],
  },
  {
    type: "stream", label: "Stream", description: "The last values with their times.",
    sends: false, feeds: "many", w: 4, h: 5, minW: 2, minH: 3,
    defaults: { count: "20", showTimestamp: "yes", showName: "yes", errors: "no" },
    props: [
      { key: "count", label: "Values shown", kind: "number" },
      { key: "showTimestamp", label: "Show times", kind: "bool" },
      { key: "showName", label: "Show feed names", kind: "bool" },
      { key: "errors", label: "Also show error and throttle notices", kind: "bool" },
    ],
  },
  {
    type: "indicator", label: "Indicator", description: "A lamp whose colour follows conditions on the value.",
    sends: false, feeds: "one", w: 2, h: 3, minW: 2, minH: 2,
    defaults: { conditions: "== ON green; > 0 green", offColor: "#6b7280", label: "" },
    props: [
      { key: "conditions", label: "Conditions", kind: "rules", placeholder: "> 30 red; > 20 amber; == on green",
        help: "operator value colour, separated by ';' — the first that matches sets the colour (<, <=, >, >=, ==, !=)." },
      { key: "offColor", label: "Colour when nothing matches", kind: "color" },
    ],
  },
  {
    type: "color_picker", label: "Colour picker", description: "Sends a colour as #rrggbb.",
    sends: true, feeds: "one", w: 3, h: 3, minW: 2, minH: 2,
    defaults: { stateFeed: "" },
    props: [stateFeedProp],
  },
  {
    type: "number_pad", label: "Number pad", description: "Type a number and send it.",
    sends: true, feeds: "one", w: 3, h: 6, minW: 2, minH: 5,
    defaults: { stateFeed: "" },
    props: [stateFeedProp],
  },
];

export function blockType(type: string): BlockType | undefined {
  return BLOCK_TYPES.find((b) => b.type === type);
}

/** Default properties for a new block of a type, with the block's own values over them. */
export function withDefaults(type: string, props: Record<string, string> | null | undefined): Record<string, string> {
  const t = blockType(type);
  const out: Record<string, string> = { ...(t?.defaults ?? {}) };
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v !== null && v !== undefined) out[k] = String(v);
  }
  return out;
}

/** A property as a number; the default when empty or not a number. */
export function propNum(props: Record<string, string>, key: string, dflt: number): number;
export function propNum(props: Record<string, string>, key: string, dflt: null): number | null;
export function propNum(props: Record<string, string>, key: string, dflt: number | null): number | null {
  const v = props[key];
  if (v === undefined || v === null || String(v).trim() === "") return dflt;
  const n = Number(v);
  return Number.isFinite(n) ? n : dflt;
}

/** Adafruit IO stores booleans as "yes"/"no" (or real booleans in newer blocks). */
export function propBool(props: Record<string, string>, key: string, dflt: boolean): boolean {
  const v = props[key];
  if (v === undefined || v === null || String(v).trim() === "") return dflt;
  return ["yes", "true", "1", "on"].includes(String(v).trim().toLowerCase());
}

/** Feed keys of a block, in order. */
export function blockFeedKeys(block: Pick<Block, "block_feeds">): string[] {
  return (block.block_feeds ?? []).map((bf) => bf?.feed?.key).filter((k): k is string => !!k);
}

/** Checks a block configuration before it is saved; returns an error message or null. */
export function validateBlock(type: string, name: string, feedKeys: string[], props: Record<string, string>): string | null {
  const t = blockType(type);
  if (!t) return "Choose a block type.";
  if (name.length > 128) return "The name is too long.";
  if (feedKeys.length === 0) return "Choose a feed.";
  if (t.feeds === "one" && feedKeys.length > 1) return "This block shows one feed.";
  for (const p of t.props) {
    if (p.kind === "number" && props[p.key] !== undefined && props[p.key] !== "" && !Number.isFinite(Number(props[p.key]))) {
      return `${p.label}: not a number.`;
    }
  }
  if (type === "slider" || type === "gauge") {
    const [lo, hi] = type === "slider" ? ["min", "max"] : ["minValue", "maxValue"];
    if (propNum(props, lo, 0) >= propNum(props, hi, 100)) return "The maximum must be above the minimum.";
  }
  if (type === "slider" && propNum(props, "step", 1) <= 0) return "The step must be above 0.";
  if (type === "toggle_button" && (props.onValue ?? "") === (props.offValue ?? "")) return "On and off values must differ.";
  return null;
}

/** A readable default name for a new block: the feed's name. */
export function defaultBlockName(type: string, feeds: Array<Pick<Feed, "key" | "name">>): string {
  if (feeds.length === 1) return feeds[0].name || feeds[0].key;
  if (feeds.length > 1) return feeds.map((f) => f.name || f.key).join(", ").slice(0, 128);
  return blockType(type)?.label ?? type;
}
