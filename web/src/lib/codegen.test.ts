import { describe, expect, it } from "vitest";
import { cString, generateCode, KEY_PLACEHOLDER, pyString, shQuote, stateTopicFor, TARGETS, type CodeOptions } from "./codegen";

const base: CodeOptions = {
  host: "perch.school.lan", port: 1883, user: "alice", key: "perch_abc123",
  valueTopic: "alice/feeds/temperature", commandTopic: "alice/feeds/led", httpUrl: "http://perch.school.lan:8080/", feedKey: "temperature",
};

describe("escaping", () => {
  it("writes safe C string literals", () => {
    expect(cString("plain")).toBe('"plain"');
    expect(cString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(cString("??=")).toBe('"\\?\\?="');
    expect(cString("é\n")).toBe('"\\303\\251\\012"');
  });
  it("writes safe Python string literals", () => {
    expect(pyString('it\'s "x"\n')).toBe('"it\'s \\"x\\"\\n"');
  });
  it("quotes shell words only when needed", () => {
    expect(shQuote("alice/feeds/t")).toBe("alice/feeds/t");
    expect(shQuote("alice/#")).toBe("'alice/#'");
    expect(shQuote("it's")).toBe("'it'\\''s'");
    expect(shQuote("$(rm -rf /)")).toBe("'$(rm -rf /)'");
  });
  it("derives the state topic", () => {
    expect(stateTopicFor("alice/feeds/led")).toBe("alice/feeds/led-state");
    expect(stateTopicFor("")).toBe("");
  });
});

describe("generateCode", () => {
  it("fills in host, port, user, key and topics for every target", () => {
    for (const t of TARGETS) {
      const code = generateCode(t.id, base);
      expect(code, t.id).toContain("perch.school.lan");
      expect(code, t.id).toContain("alice");
      expect(code, t.id).toContain("perch_abc123");
      if (t.id !== "curl") {
        expect(code, t.id).toContain("1883");
        expect(code, t.id).toMatch(/feeds\/temperature/);
        expect(code, t.id).toMatch(/feeds\/led/);
      }
    }
  });
  it("uses the placeholder when no key is given", () => {
    expect(generateCode("photon2", { ...base, key: "" })).toContain(KEY_PLACEHOLDER);
    expect(generateCode("python", { ...base, key: "  " })).toContain(KEY_PLACEHOLDER);
  });
  it("writes a Photon2 sketch for the Particle MQTT library", () => {
    const c = generateCode("photon2", base);
    expect(c).toContain('#include "MQTT.h"');
    expect(c).toContain("MQTT client(PERCH_HOST, PERCH_PORT, onMessage);");
    expect(c).toContain("client.connect(id.c_str(), PERCH_USER, PERCH_KEY)");
    expect(c).toContain('const char *TOPIC_STATE = "alice/feeds/led-state";');
    expect(c).toContain("client.subscribe(TOPIC_COMMAND);");
    expect(c).toContain("client.loop();");
  });
  it("writes Adafruit_MQTT code the way the bootcamp's sketches look", () => {
    const c = generateCode("particle-adafruit", base);
    expect(c).toContain('#include "Adafruit_MQTT/Adafruit_MQTT_SPARK.h"');
    expect(c).toContain("Adafruit_MQTT_SPARK mqtt(&TheClient, AIO_SERVER, AIO_SERVERPORT, AIO_USERNAME, AIO_KEY);");
    expect(c).toContain('Adafruit_MQTT_Publish(&mqtt, AIO_USERNAME "/feeds/temperature")');
    expect(c).toContain('Adafruit_MQTT_Subscribe(&mqtt, AIO_USERNAME "/feeds/led")');
    expect(c).toContain("mqtt.subscribe(&commandFeed);");
    expect(c).toContain("bool MQTT_ping()");
  });
  it("writes PubSubClient and paho-mqtt 2 code", () => {
    const a = generateCode("esp32", base);
    expect(a).toContain("#include <PubSubClient.h>");
    expect(a).toContain("client.setServer(PERCH_HOST, PERCH_PORT);");
    const p = generateCode("python", base);
    expect(p).toContain("mqtt.CallbackAPIVersion.VERSION2");
    expect(p).toContain('client.username_pw_set(USER, KEY)');
    expect(p).toContain('TOPIC_COMMAND = "alice/feeds/led"');
  });
  it("writes mosquitto_pub/sub and curl commands", () => {
    const m = generateCode("mosquitto", base);
    expect(m).toContain("mosquitto_pub -h perch.school.lan -p 1883 -u alice -P perch_abc123 -t alice/feeds/temperature -m 23.5");
    expect(m).toContain("-t 'alice/#'");
    expect(m).toContain("-t alice/errors -t alice/throttle");
    const c = generateCode("curl", base);
    expect(c).toContain("http://perch.school.lan:8080/api/v2/alice/feeds/temperature/data");
    expect(c).toContain("'X-AIO-Key: perch_abc123'");
  });
  it("leaves the command part out when there is no command feed", () => {
    for (const t of TARGETS) {
      const c = generateCode(t.id, { ...base, commandTopic: "" });
      expect(c, t.id).not.toContain("feeds/led");
    }
  });
  it("keeps hostile input inside string literals", () => {
    const evil = { ...base, host: 'x"; system("rm -rf /"); //', key: "a'b$(c)" };
    expect(generateCode("photon2", evil)).toContain('const char *PERCH_HOST = "x\\"; system(\\"rm -rf /\\"); //";');
    expect(generateCode("mosquitto", evil)).toContain("-P 'a'\\''b$(c)'");
    expect(generateCode("python", evil)).toContain('HOST = "x\\"; system(\\"rm -rf /\\"); //"');
  });
  it("uses free-form topics as given", () => {
    const c = generateCode("particle-adafruit", { ...base, valueTopic: "alice/photon2/temp", commandTopic: "" });
    expect(c).toContain('AIO_USERNAME "/photon2/temp"');
  });
});
