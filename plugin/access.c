/*
 * MOSQ_EVT_ACL_CHECK and MOSQ_EVT_MESSAGE: what a connected client may do, and how fast.
 * Both run for every message (ACL READ once per subscriber), so they only look things up in
 * memory; the only allocation is the broker's copy of a notice, and notices are rate-limited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mqtt_protocol.h>

#include "fanout.h"
#include "notice.h"
#include "payload.h"
#include "plugin.h"
#include "topic.h"

#define NS_PER_S 1000000000LL

/* Publishes a notice to {user}/{which}: QoS 0, not retained, seen only by that user. */
static void publish_notice(const char *user, const char *which, const char *text, size_t len)
{
	char topic[PERCH_USER_MAX + 16];

	if(perch_notice_topic(topic, sizeof(topic), user, which) == 0){
		mosquitto_broker_publish_copy(NULL, topic, (int)len, text, 0, false, NULL);
	}
}

/* Tells the user why a PUBLISH or SUBSCRIBE was refused, a few times a second at most. */
static void notice_rejected(const struct perch_session *s, bool publish, const char *topic, const char *why)
{
	char text[PERCH_NOTICE_MAX];
	size_t len;

	if(!s->user || !perch_bucket_take(&s->user->notices, PERCH_NOTICE_RATE, perch_now_ns())){
		return; /* no namespace (service, anonymous), or a flood */
	}
	len = perch_notice_rejected(text, sizeof(text), s->clientid, publish, topic, why);
	publish_notice(s->username, "errors", text, len);
}

static bool map_access(int access, enum perch_access *out)
{
	switch(access){
	case MOSQ_ACL_READ:
		*out = PERCH_ACCESS_READ;
		return true;
	case MOSQ_ACL_WRITE:
		*out = PERCH_ACCESS_WRITE;
		return true;
	case MOSQ_ACL_SUBSCRIBE:
		*out = PERCH_ACCESS_SUBSCRIBE;
		return true;
	}
	return false;
}

static bool payload_fits(const struct perch_snap_user *su, uint32_t payloadlen)
{
	return !su || (int64_t)payloadlen <= su->max_payload;
}

/*
 * A client without a session: a persistent session queued to while its owner is offline, or
 * a will sent after its connection closed (see perch_sessions_offline_role). It never gets a
 * notice: nobody is connected to read it.
 */
static int check_offline(struct perch_plugin *p, const struct mosquitto_evt_acl_check *ed,
		enum perch_access access)
{
	const char *username = mosquitto_client_username(ed->client);
	enum perch_role role;

	if(access == PERCH_ACCESS_SUBSCRIBE
			|| !perch_sessions_offline_role(&p->sessions, p->snap, mosquitto_client_id(ed->client),
				username, &role)
			|| !perch_acl_check(username, role, ed->topic, access, NULL)){
		return MOSQ_ERR_ACL_DENIED;
	}
	if(access == PERCH_ACCESS_WRITE && !payload_fits(perch_snapshot_user(p->snap, username), ed->payloadlen)){
		return MOSQ_ERR_ACL_DENIED;
	}
	return MOSQ_ERR_SUCCESS;
}

int perch_on_acl_check(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_acl_check *ed = event_data;
	struct perch_plugin *p = userdata;
	const struct perch_session *s;
	enum perch_access access;
	const char *why = NULL;
	char toobig[96];

	if(ed->access == MOSQ_ACL_UNSUBSCRIBE){
		if(ed->topic){
			perch_fanout_unsubscribe(&p->fanout, ed->client, ed->topic);
		}
		return MOSQ_ERR_SUCCESS; /* dropping a subscription never exposes anything */
	}
	if(!map_access(ed->access, &access) || !ed->topic){
		return MOSQ_ERR_ACL_DENIED;
	}
	s = perch_session_find(&p->sessions, ed->client);
	if(!s){
		return check_offline(p, ed, access);
	}
	if(s->revoked){
		return MOSQ_ERR_ACL_DENIED;
	}
	if(!perch_acl_check(s->username, perch_session_role(s), ed->topic, access, &why)){
		/* READ denials happen once per delivered message: never worth a notice. */
		if(access != PERCH_ACCESS_READ){
			notice_rejected(s, access == PERCH_ACCESS_WRITE, ed->topic, why);
		}
		return MOSQ_ERR_ACL_DENIED;
	}
	if(access == PERCH_ACCESS_WRITE && s->user && !payload_fits(s->user->su, ed->payloadlen)){
		snprintf(toobig, sizeof(toobig), "payload too large (%lu bytes, limit %d)",
				(unsigned long)ed->payloadlen, s->user->su->max_payload);
		notice_rejected(s, true, ed->topic, toobig);
		return MOSQ_ERR_ACL_DENIED;
	}
	if(access == PERCH_ACCESS_SUBSCRIBE && perch_session_role(s) != PERCH_ROLE_SERVICE
			&& perch_fanout_subscribe(&p->fanout, ed->client, ed->topic) != 0){
		mosquitto_log_printf(MOSQ_LOG_WARNING, "perch: out of memory counting a subscription");
	}
	return MOSQ_ERR_SUCCESS;
}

/* Refuses a message over the user's rate; says so on {user}/throttle once a second at most. */
static int throttle(struct perch_user_state *us, const char *topic)
{
	int64_t now = perch_now_ns();
	char text[PERCH_NOTICE_MAX];
	size_t len;

	if(perch_bucket_take(&us->rate, us->su->rate_limit, now)){
		return MOSQ_ERR_SUCCESS;
	}
	if(now - us->last_throttle_ns >= NS_PER_S){
		us->last_throttle_ns = now;
		len = perch_notice_throttle(text, sizeof(text), us->username, us->su->rate_limit, topic);
		publish_notice(us->username, "throttle", text, len);
	}
	return MOSQ_ERR_ACL_DENIED;
}

/* A copy carries PERCH_COPY_PROPERTY so that perch's ingest does not store the value twice. */
static void publish_copy(const char *topic, const char *payload, int qos)
{
	mosquitto_property *props = NULL;

	if(mosquitto_property_add_string_pair(&props, MQTT_PROP_USER_PROPERTY, PERCH_COPY_PROPERTY, "1") != MOSQ_ERR_SUCCESS){
		mosquitto_property_free_all(&props);
		return; /* without the mark the ingest would store it again: better no copy */
	}
	if(mosquitto_broker_publish_copy(NULL, topic, (int)strlen(payload), payload, qos, false, props) != MOSQ_ERR_SUCCESS){
		mosquitto_property_free_all(&props); /* the broker owns them only on success */
	}
}

/*
 * Delivers a feed value on the other forms of its topic that have subscribers (see fanout.h).
 * A payload that does not parse gets no copies: the ingest tells the user what is wrong.
 */
static void fan_out(struct perch_plugin *p, const struct mosquitto_evt_message *ed)
{
	char user[PERCH_KEY_MAX + 1], key[PERCH_KEY_MAX + 1], topic[PERCH_TOPIC_MAX + 16];
	int from = perch_fanout_topic_form(ed->topic, user, key);
	unsigned wanted;
	struct perch_datum d;

	if(from < 0 || !(wanted = perch_fanout_wanted(&p->fanout, user, from))){
		return;
	}
	if(perch_payload_parse(perch_fanout_format(from), ed->payload, ed->payloadlen, ed->payloadlen + 1,
			&d, NULL, 0) != 0){
		return;
	}
	for(int form = 0; form < PERCH_FORM_COUNT; form++){
		char *payload;
		if(!(wanted & (1u << form)) || perch_fanout_topic(topic, sizeof(topic), user, key, form) != 0){
			continue;
		}
		payload = perch_fanout_render(form, &d);
		if(payload){
			publish_copy(topic, payload, ed->qos);
			free(payload);
		}
	}
	perch_datum_clear(&d);
}

int perch_on_message(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_message *ed = event_data;
	struct perch_plugin *p = userdata;
	const struct perch_session *s = perch_session_find(&p->sessions, ed->client);

	if(!s || s->revoked){
		return MOSQ_ERR_ACL_DENIED;
	}
	/* The service account (no user state) and administrators are not rate-limited. */
	if(s->user && s->user->su && s->user->su->role != PERCH_ROLE_ADMIN
			&& throttle(s->user, ed->topic) != MOSQ_ERR_SUCCESS){
		return MOSQ_ERR_ACL_DENIED;
	}
	fan_out(p, ed);
	return MOSQ_ERR_SUCCESS;
}
