/*
 * perch-photon2.ino: a Particle Photon 2 talking to perch over MQTT.
 *
 *   - every 10 s it reads a sensor and publishes the value to  USER/feeds/temperature
 *   - it listens to  USER/feeds/led : "ON" or "1" lights the blue LED on D7, "OFF" or "0" puts it out
 *   - after each change it reports the LED's state on  USER/feeds/led-state
 *   - when the connection drops (Wi-Fi, server restart) it connects again by itself
 *
 * Library: "MQTT" (by hirotakaster), added from Particle's library manager.
 * Device OS 5.x or later. Fill in the four settings below, then flash.
 */
#include "Particle.h"
#include <MQTT.h>

// Let the sketch run while Wi-Fi connects (the default from Device OS 6 on).
SYSTEM_THREAD(ENABLED);

// ---------- settings: change these four ----------
char mqttServer[] = "192.168.1.10";        // the perch server's name or address (no http://)
const int mqttPort = 1883;                 // perch's MQTT port
const char *mqttUser = "student";          // your perch user name
const char *mqttKey = "perch_REPLACE_WITH_YOUR_MQTT_KEY"; // an MQTT key from perch (perch key new NAME)
// -------------------------------------------------

const int LED_PIN = D7;                    // the small blue LED on the board
const int SENSOR_PIN = A0;                 // <-- plug your sensor's signal wire here
const unsigned long PUBLISH_EVERY_MS = 10000;
const unsigned long RETRY_EVERY_MS = 5000;

SerialLogHandler logHandler;               // messages appear in `particle serial monitor`

void received(char *topic, uint8_t *payload, unsigned int length);
MQTT client(mqttServer, mqttPort, received);

char topicTemperature[64];
char topicLed[64];
char topicLedGet[64];
char topicLedState[64];

bool ledOn = false;
bool reportLed = false;                    // set when the LED changed: reported from loop()
unsigned long lastPublish = 0;
unsigned long lastAttempt = 0;

/*
 * Reads the sensor and returns degrees Celsius.
 * As written it expects a TMP36 (or similar analog temperature sensor: 10 mV per degree,
 * 500 mV at 0 degrees) on A0, powered from 3V3. Replace the body of this function to read
 * any other sensor (a DHT22, a BME280, a light sensor...).
 */
float readSensor()
{
	int raw = analogRead(SENSOR_PIN);      // 0..4095 for 0..3.3 V
	float volts = raw * 3.3f / 4095.0f;
	return (volts - 0.5f) * 100.0f;
}

// Called by client.loop() for every message on a topic we subscribed to.
void received(char *topic, uint8_t *payload, unsigned int length)
{
	char text[16];
	unsigned int n = length < sizeof(text) - 1 ? length : sizeof(text) - 1;
	memcpy(text, payload, n);              // the payload is not a C string: copy and end it
	text[n] = '\0';

	if (strcmp(topic, topicLed) != 0) {
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
		Log.warn("led: ignoring \"%s\"", text);
		return;
	}
	digitalWrite(LED_PIN, ledOn ? HIGH : LOW);
	reportLed = true;                      // publish outside the callback
}

bool connectToPerch()
{
	String clientId = String("photon2-") + System.deviceID();
	Log.info("connecting to %s:%d as %s", mqttServer, mqttPort, mqttUser);
	if (!client.connect(clientId.c_str(), mqttUser, mqttKey)) {
		Log.warn("connection refused or no answer: check server, port, user and key");
		return false;
	}
	client.subscribe(topicLed);
	client.publish(topicLedGet, "");       // ask perch to re-send the led feed's last value
	reportLed = true;
	Log.info("connected");
	return true;
}

void setup()
{
	pinMode(LED_PIN, OUTPUT);
	digitalWrite(LED_PIN, LOW);
	snprintf(topicTemperature, sizeof(topicTemperature), "%s/feeds/temperature", mqttUser);
	snprintf(topicLed, sizeof(topicLed), "%s/feeds/led", mqttUser);
	snprintf(topicLedGet, sizeof(topicLedGet), "%s/feeds/led/get", mqttUser);
	snprintf(topicLedState, sizeof(topicLedState), "%s/feeds/led-state", mqttUser);
}

void loop()
{
	if (!WiFi.ready()) {
		return;                            // Device OS brings Wi-Fi back by itself
	}
	if (!client.isConnected()) {
		if (lastAttempt == 0 || millis() - lastAttempt >= RETRY_EVERY_MS) {
			lastAttempt = millis();
			connectToPerch();
		}
		return;
	}
	client.loop();                         // receives messages and keeps the connection alive

	if (reportLed) {
		reportLed = false;
		client.publish(topicLedState, ledOn ? "ON" : "OFF");
	}
	if (lastPublish == 0 || millis() - lastPublish >= PUBLISH_EVERY_MS) {
		lastPublish = millis();
		char value[16];
		snprintf(value, sizeof(value), "%.1f", readSensor());
		client.publish(topicTemperature, value);
		Log.info("temperature %s", value);
	}
}
