/*
 * libFuzzer target for everything perch reads from an MQTT message: the topic (as the ACL and
 * the ingest see it) and the payload in each format, including group messages. The first byte
 * picks the format, a NUL separates topic and payload.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "payload.h"
#include "topic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char topic[PERCH_TOPIC_MAX + 2];
	const uint8_t *sep;
	size_t tlen;
	enum perch_format fmt;
	struct perch_topic t;
	struct perch_datum d;
	struct perch_group_item *items = NULL;
	size_t n = 0;
	char err[256];

	if(size < 1){
		return 0;
	}
	fmt = (enum perch_format)(data[0] % 3);
	data++;
	size--;
	sep = memchr(data, 0, size);
	tlen = sep ? (size_t)(sep - data) : size;
	if(tlen >= sizeof(topic)){
		tlen = sizeof(topic) - 1;
	}
	memcpy(topic, data, tlen);
	topic[tlen] = '\0';
	if(perch_topic_parse(topic, &t, err, sizeof(err)) == 0 && t.key[0] == '\0' && t.kind == PERCH_TOPIC_FEED){
		abort(); /* a parsed feed topic always has a key */
	}
	for(int a = 0; a < 3; a++){
		(void)perch_acl_check("alice", PERCH_ROLE_STUDENT, topic, (enum perch_access)a, NULL);
		(void)perch_acl_check("prof", PERCH_ROLE_INSTRUCTOR, topic, (enum perch_access)a, NULL);
		(void)perch_acl_check(NULL, PERCH_ROLE_ANONYMOUS, topic, (enum perch_access)a, NULL);
	}
	if(sep){
		const char *payload = (const char *)sep + 1;
		size_t plen = size - (size_t)(sep - data) - 1;
		if(perch_payload_parse(fmt, payload, plen, 1024, &d, err, sizeof(err)) == 0){
			if(d.value_len == 0 || d.value_len > 1024 || strlen(d.value) != d.value_len){
				abort(); /* stored values are non-empty, bounded, NUL-free text */
			}
			perch_datum_clear(&d);
		}
		if(perch_group_parse(fmt, payload, plen, 1024, &items, &n, err, sizeof(err)) == 0){
			perch_group_free(items, n);
		}
	}
	return 0;
}
