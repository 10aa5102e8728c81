// JSON shapes of the perch API (Adafruit IO v2 shapes plus perch's own /api endpoints).

export type Role = "student" | "graduate" | "instructor" | "admin" | string;

export interface User {
  id: number | string;
  username: string;
  role: Role;
  email?: string | null;
}

export interface SessionInfo {
  user: User;
  csrf_token: string;
}

export interface Feed {
  id: number | string;
  key: string;
  name: string;
  description?: string | null;
  unit_type?: string | null;
  unit_symbol?: string | null;
  last_value?: string | null;
  updated_at?: string | null;
  created_at?: string | null;
  retention_days?: number | null;
  mqtt_topic?: string | null;
  username?: string;
}

export interface Datum {
  id: string | number;
  value: string;
  created_at: string;
  lat?: number | null;
  lon?: number | null;
  ele?: number | null;
  feed_key?: string;
}

export interface ChartResponse {
  columns: string[];
  data: Array<Array<string | number | null>>;
}

export interface BlockFeed {
  id?: string | number;
  feed: { id?: number | string; key: string; name?: string };
}

export interface Block {
  id: string | number;
  name: string;
  visual_type: string;
  properties: Record<string, string>;
  block_feeds: BlockFeed[];
  size_x: number;
  size_y: number;
  column: number;
  row: number;
  description?: string | null;
}

export interface LayoutItem {
  i: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export type Layouts = Record<string, LayoutItem[]>;

export interface Dashboard {
  id: number | string;
  key: string;
  name: string;
  description?: string | null;
  blocks?: Block[];
  layouts?: Layouts | null;
  created_at?: string;
  updated_at?: string;
}

export interface ApiKey {
  id: number | string;
  label: string;
  shown?: string | null;
  created_at: string;
  last_used_at?: string | null;
  revoked_at?: string | null;
  key?: string;
}

export interface LiveToken {
  username: string;
  token: string;
  expires_at: string;
  ws_port?: number;
  ws_path?: string;
  ws_url?: string;
}

export interface ServerInfo {
  mqtt_host: string;
  mqtt_port: number;
  mqtts_port?: number;
  ws_port?: number;
  http_url: string;
}
