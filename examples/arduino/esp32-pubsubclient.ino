/*
 * esp32-pubsubclient.ino: an ESP32 board talking to perch over MQTT, with the same behaviour
 * as examples/photon2/perch-photon2.ino:
 *
 *   - every 10 s it reads a sensor and publishes the value to  USER/feeds/temperature
 *   - it listens to  USER/feeds/led : "ON" or "1" lights the LED, "OFF" or "0" puts it out
 *   - after each change it reports the LED's state on  USER/feeds/led-state
 *   - when Wi-Fi or the connection drops it connects again by itself
 *
 * Arduino IDE: Boards Manager "esp32" (Espressif), Library Manager "PubSubClient" (Nick O'Leary).
 * Fill in the settings below, choose your board and port, and upload (the IDE offers to move
 * the file into a folder of the same name, as it wants for every sketch).
 */
#include <WiFi.h>
#include <PubSubClient.h>

// ---------- settings: change these ----------
const char *wifiName = "school-wifi";
const char *wifiPassword = "wifi-password";
const char *mqttServer = "192.168.1.10";   // the perch server's name or address (no http://)
const uint16_t mqttPort = 1883;            // perch's MQTT port
const char *mqttUser = "student";          // your perch user name
const char *mqttKey = "perch_REPLACE_WITH_YOUR_MQTT_KEY"; // an MQTT key from perch
// ---------------------------------------------

#ifdef LED_BUILTIN
const int LED_PIN = LED_BUILTIN;
#else
const int LED_PIN = 2;                     // the on-board LED of most ESP32 dev boards
#endif
const int SENSOR_PIN = 34;                 // <-- plug your sensor's signal wire here (an ADC1 pin)
const unsigned long PUBLISH_EVERY_MS = 10000;
const unsigned long RETRY_EVERY_MS = 5000;

WiFiClient wifiClient;
PubSubClient client(wifiClient);

String topicTemperature, topicLed, topicLedGet, topicLedState;
bool ledOn = false;
bool reportLed = false;                    // set when the LED changed: reported from loop()
unsigned long lastPublish = 0;
unsigned long lastAttempt = 0;

/*
 * Reads the sensor and returns degrees Celsius. As written it expects a TMP36 (10 mV per
 * degree, 500 mV at 0 degrees) powered from 3V3. Replace the body to read another sensor.
 */
float readSensor()
{
	float volts = analogReadMilliVolts(SENSOR_PIN) / 1000.0f;
	return (volts - 0.5f) * 100.0f;
}

// Called by client.loop() for every message on a topic we subscribed to.
void received(char *topic, byte *payload, unsigned int length)
{
	char text[16];
	unsigned int n = length < sizeof(text) - 1 ? length : sizeof(text) - 1;
	memcpy(text, payload, n);              // the payload is not a C string: copy and end it
	text[n] = '\0';

	if (topicLed != topic) {
		return;
	}
	String command(text);
	command.trim();
	command.toUpperCase();
	if (command == "ON" || command == "1") {
		ledOn = true;
	} else if (command == "OFF" || command == "0") {
		ledOn = false;
	} else {
		Serial.printf("led: ignoring \"%s\"\n", text);
		return;
	}
	digitalWrite(LED_PIN, ledOn ? HIGH : LOW);
	reportLed = true;                      // publish outside the callback
}

bool connectToPerch()
{
	String clientId = String("esp32-") + WiFi.macAddress();
	clientId.replace(":", "");
	Serial.printf("connecting to %s:%u as %s\n", mqttServer, mqttPort, mqttUser);
	if (!client.connect(clientId.c_str(), mqttUser, mqttKey)) {
		// state(): 4 = wrong user or key, 5 = not authorised, -2 = no answer from the server
		Serial.printf("refused (state %d): check server, port, user and key\n", client.state());
		return false;
	}
	client.subscribe(topicLed.c_str());
	client.publish(topicLedGet.c_str(), ""); // ask perch to re-send the led feed's last value
	reportLed = true;
	Serial.println("connected");
	return true;
}

void setup()
{
	Serial.begin(115200);
	pinMode(LED_PIN, OUTPUT);
	digitalWrite(LED_PIN, LOW);
	topicTemperature = String(mqttUser) + "/feeds/temperature";
	topicLed = String(mqttUser) + "/feeds/led";
	topicLedGet = String(mqttUser) + "/feeds/led/get";
	topicLedState = String(mqttUser) + "/feeds/led-state";

	WiFi.mode(WIFI_STA);
	WiFi.setAutoReconnect(true);
	WiFi.begin(wifiName, wifiPassword);
	client.setServer(mqttServer, mqttPort);
	client.setCallback(received);
}

void loop()
{
	if (WiFi.status() != WL_CONNECTED) {
		delay(100);                        // the Wi-Fi driver reconnects by itself
		return;
	}
	if (!client.connected()) {
		if (lastAttempt == 0 || millis() - lastAttempt >= RETRY_EVERY_MS) {
			lastAttempt = millis();
			connectToPerch();
		}
		return;
	}
	client.loop();                         // receives messages and keeps the connection alive

	if (reportLed) {
		reportLed = false;
		client.publish(topicLedState.c_str(), ledOn ? "ON" : "OFF");
	}
	if (lastPublish == 0 || millis() - lastPublish >= PUBLISH_EVERY_MS) {
		lastPublish = millis();
		char value[16];
		snprintf(value, sizeof(value), "%.1f", readSensor());
		client.publish(topicTemperature.c_str(), value);
		Serial.printf("temperature %s\n", value);
	}
}
