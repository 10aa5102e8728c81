#include "topic.h"

#include <stdio.h>
#include <string.h>

static void set_err(char *err, size_t errlen, const char *msg)
{
	if(err && errlen){
		snprintf(err, errlen, "%s", msg);
	}
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		|| c == '-' || c == '_';
}

static char key_char(char c)
{
	if(c >= 'A' && c <= 'Z'){
		return (char)(c - 'A' + 'a');
	}
	return c == '_' ? '-' : c;
}

int perch_feed_key_normalize(const char *ident, size_t len, char *key, size_t keylen)
{
	size_t part_len = 0;
	int dots = 0;

	if(len == 0 || len + 1 > keylen){
		return -1;
	}
	for(size_t i = 0; i < len; i++){
		char c = ident[i];
		if(c == '.'){
			/* "group.feed": one dot, both sides non-empty */
			if(++dots > 1 || part_len == 0){
				return -1;
			}
			part_len = 0;
			key[i] = '.';
			continue;
		}
		if(!is_key_char(c) || ++part_len > PERCH_FEED_KEY_MAX){
			return -1;
		}
		key[i] = key_char(c);
	}
	if(part_len == 0){
		return -1;
	}
	key[len] = '\0';
	return 0;
}

int perch_freeform_key(const char *path, char *key, size_t keylen)
{
	size_t n = 0;
	bool last_dash = true; /* no leading dash */

	for(const char *p = path; *p; p++){
		char c = *p;
		char out;
		if(is_key_char(c) && c != '_' && c != '-'){
			out = key_char(c);
		}else{
			/* '/', '_', '-', '.', spaces and anything else separate words */
			if(last_dash){
				continue;
			}
			out = '-';
		}
		if(n + 1 >= keylen || n >= PERCH_FEED_KEY_MAX){
			return -1;
		}
		key[n++] = out;
		last_dash = out == '-';
	}
	while(n > 0 && key[n - 1] == '-'){
		n--;
	}
	if(n == 0){
		return -1;
	}
	key[n] = '\0';
	return 0;
}

static const char *const reserved_names[] = {
	"time", "class", "perch", "perch-service", "api", "admin", "root", "sys", "static",
	"assets", "feeds", "groups", "dashboards", "healthz", "metrics", NULL,
};

bool perch_username_valid(const char *name)
{
	size_t len = strlen(name);

	if(len < 2 || len > PERCH_USER_MAX || !(name[0] >= 'a' && name[0] <= 'z')){
		return false;
	}
	for(size_t i = 0; i < len; i++){
		char c = name[i];
		if(!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')){
			return false;
		}
	}
	for(int i = 0; reserved_names[i]; i++){
		if(strcmp(name, reserved_names[i]) == 0){
			return false;
		}
	}
	return true;
}

/* Splits off the trailing "/json", "/csv" and "/get" of a feed or group path. */
static size_t strip_suffixes(const char *rest, size_t len, struct perch_topic *out)
{
	if(len > 4 && memcmp(rest + len - 4, "/get", 4) == 0){
		out->get = true;
		len -= 4;
	}
	if(len > 5 && memcmp(rest + len - 5, "/json", 5) == 0){
		out->format = PERCH_FMT_JSON;
		len -= 5;
	}else if(len > 4 && memcmp(rest + len - 4, "/csv", 4) == 0){
		out->format = PERCH_FMT_CSV;
		len -= 4;
	}
	return len;
}

static int parse_feed_or_group(const char *rest, struct perch_topic *out, char *err, size_t errlen)
{
	size_t len = strip_suffixes(rest, strlen(rest), out);

	if(len == 0 || memchr(rest, '/', len) != NULL){
		set_err(err, errlen, "rejected, not a valid feed or group topic");
		return -1;
	}
	if(len > PERCH_KEY_MAX || perch_feed_key_normalize(rest, len, out->key, sizeof(out->key)) != 0){
		set_err(err, errlen, "rejected, a feed key may contain only letters, digits, '-' and '_' (and one '.' after a group key), at most 128 characters");
		return -1;
	}
	if(out->kind == PERCH_TOPIC_GROUP && strchr(out->key, '.') != NULL){
		set_err(err, errlen, "rejected, a group key cannot contain '.'");
		return -1;
	}
	memcpy(out->name, rest, len);
	out->name[len] = '\0';
	return 0;
}

static int parse_freeform(const char *rest, struct perch_topic *out, char *err, size_t errlen)
{
	size_t len = strlen(rest);

	out->kind = PERCH_TOPIC_FREEFORM;
	if(len > 4 && memcmp(rest + len - 4, "/get", 4) == 0){
		out->get = true;
		len -= 4;
	}
	memcpy(out->name, rest, len);
	out->name[len] = '\0';
	if(perch_freeform_key(out->name, out->key, sizeof(out->key)) != 0){
		set_err(err, errlen, "rejected, this topic does not map to a feed key (letters and digits, at most 128)");
		return -1;
	}
	return 0;
}

/* The part of a user's topic after "{user}/". */
static int parse_user_path(const char *rest, struct perch_topic *out, char *err, size_t errlen)
{
	static const struct { const char *prefix; enum perch_topic_kind kind; } forms[] = {
		{ "feeds/", PERCH_TOPIC_FEED }, { "f/", PERCH_TOPIC_FEED },
		{ "groups/", PERCH_TOPIC_GROUP }, { "g/", PERCH_TOPIC_GROUP },
	};

	if(strcmp(rest, "errors") == 0){
		out->kind = PERCH_TOPIC_ERRORS;
		return 0;
	}
	if(strcmp(rest, "throttle") == 0){
		out->kind = PERCH_TOPIC_THROTTLE;
		return 0;
	}
	for(size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++){
		size_t n = strlen(forms[i].prefix);
		if(strncmp(rest, forms[i].prefix, n) == 0){
			out->kind = forms[i].kind;
			return parse_feed_or_group(rest + n, out, err, errlen);
		}
	}
	return parse_freeform(rest, out, err, errlen);
}

int perch_topic_parse(const char *topic, struct perch_topic *out, char *err, size_t errlen)
{
	const char *slash;
	size_t ulen;

	memset(out, 0, sizeof(*out));
	if(!topic || !*topic || strlen(topic) > PERCH_TOPIC_MAX){
		set_err(err, errlen, "rejected, topic empty or too long");
		return -1;
	}
	if(strpbrk(topic, "+#")){
		set_err(err, errlen, "rejected, wildcards are for subscriptions only");
		return -1;
	}
	if(strncmp(topic, "$SYS/", 5) == 0 || strcmp(topic, "$SYS") == 0){
		out->kind = PERCH_TOPIC_SYS;
		return 0;
	}
	if(strncmp(topic, "time/", 5) == 0){
		out->kind = PERCH_TOPIC_TIME;
		return 0;
	}
	if(strncmp(topic, "class/", 6) == 0){
		out->kind = PERCH_TOPIC_CLASS;
		return 0;
	}
	slash = strchr(topic, '/');
	ulen = slash ? (size_t)(slash - topic) : 0;
	if(ulen == 0 || ulen > PERCH_USER_MAX || slash[1] == '\0' || strstr(topic, "//")){
		set_err(err, errlen, "rejected, not a valid resource topic");
		return -1;
	}
	memcpy(out->user, topic, ulen);
	out->user[ulen] = '\0';
	return parse_user_path(slash + 1, out, err, errlen);
}
