// "Connect a device": ready-to-paste code filled in with this server's address,
// the user's name and the chosen feeds.

export type Target = "photon2" | "particle-adafruit" | "esp32" | "python" | "mosquitto" | "curl";

export const TARGETS: Array<{ id: Target; label: string; language: string; file: string }> = [
  { id: "photon2", label: "Photon2 (Particle MQTT library)", language: "cpp", file: "perch.cpp" },
  { id: "particle-adafruit", label: "Particle + Adafruit MQTT library", language: "cpp", file: "perch.cpp" },
  { id: "esp32", label: "Arduino / ESP32 (PubSubClient)", language: "cpp", file: "perch.ino" },
  { id: "python", label: "Python (paho-mqtt)", language: "python", file: "perch_client.py" },
  { id: "mosquitto", label: "mosquitto_pub / mosquitto_sub", language: "sh", file: "perch.sh" },
  { id: "curl", label: "HTTP (curl)", language: "sh", file: "perch-http.sh" },
];

export const KEY_PLACEHOLDER = "YOUR_MQTT_KEY";

export interface CodeOptions {
  host: string;
  port: number;
  user: string;
  /** The MQTT key; the placeholder when empty. */
  key?: string;
  /** Topic the device publishes its reading to, e.g. alice/feeds/temperature. */
  valueTopic: string;
  /** Topic the device obeys (a dashboard toggle), e.g. alice/feeds/led; empty for none. */
  commandTopic?: string;
  /** Topic the device reports the command's state on, e.g. alice/feeds/led-state. */
  stateTopic?: string;
  /** Base URL of the HTTP API (for curl), e.g. http://perch.local:8080 */
  httpUrl?: string;
  /** Feed key for the HTTP examples. */
  feedKey?: string;
}

/** A C/C++ string literal; non-printable and non-ASCII bytes as octal escapes. */
export function cString(s: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    if (c === "\\" || c === '"') out += `\\${c}`;
    else if (b === 0x3f) out += "\\?"; // avoids trigraphs like ??=
    else if (b >= 0x20 && b < 0x7f) out += c;
    else out += `\\${b.toString(8).padStart(3, "0")}`;
  }
  return `"${out}"`;
}

/** A Python string literal (JSON's escapes are valid Python). */
export function pyString(s: string): string {
  return JSON.stringify(s);
}

/** A POSIX shell word: left bare when it is plainly safe, else single-quoted. */
export function shQuote(s: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Derives a state topic from a command topic: alice/feeds/led -> alice/feeds/led-state. */
export function stateTopicFor(commandTopic: string): string {
  return commandTopic ? `${commandTopic}-state` : "";
}

function opts(o: CodeOptions) {
  return {
    ...o,
    key: o.key?.trim() ? o.key.trim() : KEY_PLACEHOLDER,
    commandTopic: o.commandTopic ?? "",
    stateTopic: o.stateTopic ?? (o.commandTopic ? stateTopicFor(o.commandTopic) : ""),
  };
}

/** The C constants both sketches (Photon 2, ESP32) start with: server, credentials, topics. */
function cConnection(o: ReturnType<typeof opts>, cmd: boolean): string {
  return `const char *PERCH_HOST = ${cString(o.host)};
const uint16_t PERCH_PORT = ${o.port};
const char *PERCH_USER = ${cString(o.user)};
const char *PERCH_KEY = ${cString(o.key)};  // perch > MQTT keys

const char *TOPIC_VALUE = ${cString(o.valueTopic)};
${cmd ? `const char *TOPIC_COMMAND = ${cString(o.commandTopic)};
const char *TOPIC_STATE = ${cString(o.stateTopic)};
` : ""}`;
}

function photon2(o: ReturnType<typeof opts>): string {
  const cmd = !!o.commandTopic;
  return `// perch: Photon2 publishing a reading${cmd ? " and obeying a dashboard toggle" : ""}
// Library: MQTT (in Particle Workbench: "Particle: Install Library", then MQTT)
#include "Particle.h"
#include "MQTT.h"

SYSTEM_MODE(AUTOMATIC);
SYSTEM_THREAD(ENABLED);

${cConnection(o, cmd)}
const int LED_PIN = D7;
const int SENSOR_PIN = A0;
unsigned int lastPublish = 0;
unsigned int lastAttempt = 0;

void onMessage(char *topic, byte *payload, unsigned int length);
MQTT client(PERCH_HOST, PERCH_PORT, onMessage);

// Called by client.loop() for every message on a subscribed topic.
void onMessage(char *topic, byte *payload, unsigned int length) {
  char value[64];
  unsigned int n = length < sizeof(value) - 1 ? length : sizeof(value) - 1;
  memcpy(value, payload, n);
  value[n] = '\\0';
  Serial.printlnf("%s = %s", topic, value);
${cmd ? `  if (strcmp(topic, TOPIC_COMMAND) == 0) {
    bool on = strcmp(value, "ON") == 0 || strcmp(value, "1") == 0;
    digitalWrite(LED_PIN, on ? HIGH : LOW);
    client.publish(TOPIC_STATE, on ? "ON" : "OFF");  // the dashboard shows this state
  }
` : ""}}

void connectPerch() {
  String id = "photon2-" + System.deviceID().substring(0, 12);
  Serial.printlnf("connecting to %s:%d", PERCH_HOST, PERCH_PORT);
  if (client.connect(id.c_str(), PERCH_USER, PERCH_KEY)) {
    Serial.println("connected");
${cmd ? "    client.subscribe(TOPIC_COMMAND);\n" : ""}  } else {
    Serial.println("refused: check the user name, key and host");
  }
}

void setup() {
  Serial.begin(9600);
  pinMode(LED_PIN, OUTPUT);
}

void loop() {
  if (!client.isConnected() && millis() - lastAttempt > 5000) {
    lastAttempt = millis();
    connectPerch();
  }
  if (client.isConnected()) {
    client.loop();
    if (millis() - lastPublish > 10000) {  // every 10 s; perch allows 50 messages/s
      lastPublish = millis();
      float reading = analogRead(SENSOR_PIN) * 3.3 / 4095.0;
      client.publish(TOPIC_VALUE, String(reading, 2).c_str());
    }
  }
}
`;
}

/** A topic as a C literal, using the AIO_USERNAME macro the way Adafruit's examples do. */
function aioTopic(user: string, topic: string): string {
  return topic.startsWith(`${user}/`) ? `AIO_USERNAME ${cString(topic.slice(user.length))}` : cString(topic);
}

function particleAdafruit(o: ReturnType<typeof opts>): string {
  const cmd = !!o.commandTopic;
  return `// perch: Particle device with Adafruit's MQTT library (Adafruit_MQTT)
// Library: Adafruit_MQTT (in Particle Workbench: "Particle: Install Library", then Adafruit_MQTT)
#include "Particle.h"
#include "Adafruit_MQTT/Adafruit_MQTT_SPARK.h"
#include "Adafruit_MQTT/Adafruit_MQTT.h"

SYSTEM_MODE(AUTOMATIC);

#define AIO_SERVER ${cString(o.host)}
#define AIO_SERVERPORT ${o.port}
#define AIO_USERNAME ${cString(o.user)}
#define AIO_KEY ${cString(o.key)}  // perch > MQTT keys

TCPClient TheClient;
Adafruit_MQTT_SPARK mqtt(&TheClient, AIO_SERVER, AIO_SERVERPORT, AIO_USERNAME, AIO_KEY);

Adafruit_MQTT_Publish valueFeed = Adafruit_MQTT_Publish(&mqtt, ${aioTopic(o.user, o.valueTopic)});
${cmd ? `Adafruit_MQTT_Subscribe commandFeed = Adafruit_MQTT_Subscribe(&mqtt, ${aioTopic(o.user, o.commandTopic)});
Adafruit_MQTT_Publish stateFeed = Adafruit_MQTT_Publish(&mqtt, ${aioTopic(o.user, o.stateTopic)});
` : ""}
const int LED_PIN = D7;
const int SENSOR_PIN = A0;
unsigned int lastPublish = 0;

void MQTT_connect();
bool MQTT_ping();

void setup() {
  Serial.begin(9600);
  pinMode(LED_PIN, OUTPUT);
${cmd ? "  mqtt.subscribe(&commandFeed);\n" : ""}}

void loop() {
  MQTT_connect();
  MQTT_ping();
${cmd ? `
  Adafruit_MQTT_Subscribe *subscription;
  while ((subscription = mqtt.readSubscription(100))) {
    if (subscription == &commandFeed) {
      const char *value = (const char *)commandFeed.lastread;
      bool on = strcmp(value, "ON") == 0 || strcmp(value, "1") == 0;
      digitalWrite(LED_PIN, on ? HIGH : LOW);
      stateFeed.publish(on ? "ON" : "OFF");  // the dashboard shows this state
    }
  }
` : ""}
  if (millis() - lastPublish > 10000) {  // every 10 s
    lastPublish = millis();
    float reading = analogRead(SENSOR_PIN) * 3.3 / 4095.0;
    if (valueFeed.publish(reading)) {
      Serial.printlnf("published %.2f", reading);
    }
  }
}

// Connects (and reconnects) to perch.
void MQTT_connect() {
  if (mqtt.connected()) {
    return;
  }
  Serial.print("Connecting to perch... ");
  int8_t ret;
  while ((ret = mqtt.connect()) != 0) {
    Serial.printlnf("%s", (const char *)mqtt.connectErrorString(ret));
    Serial.println("Retrying in 5 seconds...");
    mqtt.disconnect();
    delay(5000);
  }
  Serial.println("connected");
}

// Keeps the connection alive: pings every 2 minutes.
bool MQTT_ping() {
  static unsigned int lastPing = 0;
  bool ok = true;
  if (millis() - lastPing > 120000) {
    lastPing = millis();
    ok = mqtt.ping();
    if (!ok) {
      mqtt.disconnect();
    }
  }
  return ok;
}
`;
}

function esp32(o: ReturnType<typeof opts>): string {
  const cmd = !!o.commandTopic;
  return `// perch: ESP32 (Arduino) with the PubSubClient library (Library Manager: "PubSubClient")
// For an ESP8266 include <ESP8266WiFi.h> instead of <WiFi.h>.
#include <WiFi.h>
#include <PubSubClient.h>

const char *WIFI_SSID = "your-wifi";
const char *WIFI_PASSWORD = "your-wifi-password";

${cConnection(o, cmd)}
const int LED_PIN = 2;
WiFiClient net;
PubSubClient client(net);
unsigned long lastPublish = 0;

void onMessage(char *topic, byte *payload, unsigned int length) {
  String value;
  for (unsigned int i = 0; i < length; i++) value += (char)payload[i];
  Serial.printf("%s = %s\\n", topic, value.c_str());
${cmd ? `  if (strcmp(topic, TOPIC_COMMAND) == 0) {
    bool on = value == "ON" || value == "1";
    digitalWrite(LED_PIN, on ? HIGH : LOW);
    client.publish(TOPIC_STATE, on ? "ON" : "OFF");  // the dashboard shows this state
  }
` : ""}}

void connectPerch() {
  while (!client.connected()) {
    String id = "esp32-" + String((uint32_t)ESP.getEfuseMac(), HEX);
    Serial.print("Connecting to perch... ");
    if (client.connect(id.c_str(), PERCH_USER, PERCH_KEY)) {
      Serial.println("connected");
${cmd ? "      client.subscribe(TOPIC_COMMAND);\n" : ""}    } else {
      Serial.printf("refused (state %d), retrying in 5 s\\n", client.state());
      delay(5000);
    }
  }
}

void setup() {
  Serial.begin(115200);
  pinMode(LED_PIN, OUTPUT);
  WiFi.begin(WIFI_SSID, WIFI_PASSWORD);
  while (WiFi.status() != WL_CONNECTED) {
    delay(500);
  }
  client.setServer(PERCH_HOST, PERCH_PORT);
  client.setCallback(onMessage);
}

void loop() {
  connectPerch();
  client.loop();
  if (millis() - lastPublish > 10000) {  // every 10 s
    lastPublish = millis();
    float reading = analogRead(34) * 3.3 / 4095.0;
    client.publish(TOPIC_VALUE, String(reading, 2).c_str());
  }
}
`;
}

function python(o: ReturnType<typeof opts>): string {
  const cmd = !!o.commandTopic;
  return `# perch: Python client with paho-mqtt 2.x   (pip install "paho-mqtt>=2")
import random
import time

import paho.mqtt.client as mqtt

HOST = ${pyString(o.host)}
PORT = ${o.port}
USER = ${pyString(o.user)}
KEY = ${pyString(o.key)}  # perch > MQTT keys

TOPIC_VALUE = ${pyString(o.valueTopic)}
${cmd ? `TOPIC_COMMAND = ${pyString(o.commandTopic)}
TOPIC_STATE = ${pyString(o.stateTopic)}
` : ""}

def on_connect(client, userdata, flags, reason_code, properties):
    if reason_code.is_failure:
        print("refused:", reason_code)
        return
    print("connected")
${cmd ? "    client.subscribe(TOPIC_COMMAND)\n" : ""}    client.subscribe(USER + "/errors")
    client.subscribe(USER + "/throttle")


def on_message(client, userdata, msg):
    value = msg.payload.decode("utf-8", "replace")
    print(msg.topic, "=", value)
${cmd ? `    if msg.topic == TOPIC_COMMAND:
        on = value in ("ON", "1")
        client.publish(TOPIC_STATE, "ON" if on else "OFF")  # the dashboard shows this state
` : ""}

client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"python-{random.getrandbits(32):08x}")
client.username_pw_set(USER, KEY)
client.on_connect = on_connect
client.on_message = on_message
client.connect(HOST, PORT, keepalive=60)
client.loop_start()  # reconnects by itself

try:
    while True:
        reading = round(20 + random.random() * 5, 2)
        client.publish(TOPIC_VALUE, str(reading))
        time.sleep(10)
except KeyboardInterrupt:
    pass
finally:
    client.loop_stop()
    client.disconnect()
`;
}

function mosquitto(o: ReturnType<typeof opts>): string {
  const auth = `-h ${shQuote(o.host)} -p ${o.port} -u ${shQuote(o.user)} -P ${shQuote(o.key)}`;
  const lines = [
    "# perch with the Mosquitto command-line clients (Debian: apt install mosquitto-clients)",
    "",
    "# publish one value",
    `mosquitto_pub ${auth} -t ${shQuote(o.valueTopic)} -m 23.5`,
    "",
    "# watch all your topics",
    `mosquitto_sub ${auth} -t ${shQuote(`${o.user}/#`)} -v`,
  ];
  if (o.commandTopic) {
    lines.push(
      "",
      "# act as the board: print what the dashboard sends, report the state back",
      `mosquitto_sub ${auth} -t ${shQuote(o.commandTopic)} | while read -r value; do`,
      `  echo "command: $value"`,
      `  mosquitto_pub ${auth} -t ${shQuote(o.stateTopic)} -m "$value"`,
      "done",
    );
  }
  lines.push(
    "",
    "# errors and throttle notices from perch",
    `mosquitto_sub ${auth} -t ${shQuote(`${o.user}/errors`)} -t ${shQuote(`${o.user}/throttle`)} -v`,
    "",
  );
  return lines.join("\n");
}

function curl(o: ReturnType<typeof opts>): string {
  const base = (o.httpUrl ?? "").replace(/\/+$/, "");
  const feed = o.feedKey || o.valueTopic.split("/").pop() || "feed";
  const url = `${base}/api/v2/${encodeURIComponent(o.user)}/feeds/${encodeURIComponent(feed)}/data`;
  const hdr = `-H ${shQuote(`X-AIO-Key: ${o.key}`)}`;
  return `# perch over HTTP (Adafruit IO v2 API) for boards that do not speak MQTT

# send a value
curl ${hdr} -H 'Content-Type: application/json' -d '{"value": 23.5}' ${shQuote(url)}

# read the latest value
curl ${hdr} ${shQuote(`${url}/last`)}

# read the last 10 values (newest first)
curl ${hdr} ${shQuote(`${url}?limit=10`)}
`;
}

export function generateCode(target: Target, options: CodeOptions): string {
  const o = opts(options);
  switch (target) {
    case "photon2": return photon2(o);
    case "particle-adafruit": return particleAdafruit(o);
    case "esp32": return esp32(o);
    case "python": return python(o);
    case "mosquitto": return mosquitto(o);
    case "curl": return curl(o);
  }
}
