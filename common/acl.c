#include "acl.h"

#include <string.h>

#define WHY_OTHER_USER "resource not available or not authorized"
#define WHY_READ_ONLY "topic is read-only"
#define WHY_TIME "time topics are read-only"
#define WHY_CLASS "only instructors may publish to class/ topics"
#define WHY_SYS "$SYS topics are for administrators only"
#define WHY_ANON "anonymous clients may only subscribe to time/ topics"
#define WHY_SHARE "not a valid shared subscription"
#define WHY_EMPTY "not a valid resource topic"
#define WHY_GET "get requests are answered by perch, not delivered"

enum perch_role perch_role_from_string(const char *s)
{
	if(s && strcmp(s, "instructor") == 0){
		return PERCH_ROLE_INSTRUCTOR;
	}
	if(s && strcmp(s, "admin") == 0){
		return PERCH_ROLE_ADMIN;
	}
	return PERCH_ROLE_STUDENT;
}

const char *perch_role_name(enum perch_role role)
{
	switch(role){
	case PERCH_ROLE_INSTRUCTOR: return "instructor";
	case PERCH_ROLE_ADMIN: return "admin";
	case PERCH_ROLE_SERVICE: return "service";
	case PERCH_ROLE_ANONYMOUS: return "anonymous";
	case PERCH_ROLE_STUDENT: break;
	}
	return "student";
}

/* Length of the first topic level. */
static size_t first_level(const char *topic)
{
	const char *slash = strchr(topic, '/');
	return slash ? (size_t)(slash - topic) : strlen(topic);
}

static bool level_is(const char *topic, size_t len, const char *word)
{
	return strlen(word) == len && strncmp(topic, word, len) == 0;
}

/* "$share/group/filter" -> "filter"; NULL when malformed. */
static const char *strip_share(const char *filter)
{
	const char *group, *slash;

	if(strncmp(filter, "$share/", 7) != 0){
		return filter;
	}
	group = filter + 7;
	slash = strchr(group, '/');
	if(!slash || slash == group || slash[1] == '\0'){
		return NULL;
	}
	return slash + 1;
}

static bool deny(const char **why, const char *reason)
{
	if(why){
		*why = reason;
	}
	return false;
}

static bool is_own(const char *user, const char *topic, size_t len)
{
	return user && *user && level_is(topic, len, user);
}

/* Own "errors" and "throttle" topics: perch writes them, the user only reads. */
static bool is_notice_topic(const char *topic, size_t len)
{
	const char *rest = topic + len;
	return strcmp(rest, "/errors") == 0 || strcmp(rest, "/throttle") == 0;
}

static bool check_anonymous(const char *topic, size_t len, enum perch_access access, const char **why)
{
	if(access != PERCH_ACCESS_WRITE && level_is(topic, len, "time")){
		return true;
	}
	return deny(why, WHY_ANON);
}

static bool check_write(const char *user, enum perch_role role, const char *topic, size_t len,
		const char **why)
{
	if(topic[0] == '$'){
		return deny(why, WHY_SYS);
	}
	if(level_is(topic, len, "time")){
		return deny(why, WHY_TIME);
	}
	if(level_is(topic, len, "class")){
		return role == PERCH_ROLE_INSTRUCTOR ? true : deny(why, WHY_CLASS);
	}
	if(!is_own(user, topic, len) || topic[len] != '/' || topic[len + 1] == '\0'){
		return deny(why, is_own(user, topic, len) ? WHY_EMPTY : WHY_OTHER_USER);
	}
	if(is_notice_topic(topic, len)){
		return deny(why, WHY_READ_ONLY);
	}
	return true;
}

/* "…/get" asks perch for a feed's last value: a request to perch, not a message for people. */
static bool is_get_request(const char *topic)
{
	size_t n = strlen(topic);
	return n > 4 && strcmp(topic + n - 4, "/get") == 0;
}

/* READ of a concrete topic, SUBSCRIBE of a filter (first level may be a wildcard). */
static bool check_read(const char *user, enum perch_role role, const char *topic, size_t len,
		enum perch_access access, const char **why)
{
	if(topic[0] == '$'){
		return deny(why, WHY_SYS);
	}
	if(access == PERCH_ACCESS_READ && is_get_request(topic)){
		return deny(why, WHY_GET);
	}
	if(level_is(topic, len, "time") || level_is(topic, len, "class") || is_own(user, topic, len)){
		return true;
	}
	if(access == PERCH_ACCESS_SUBSCRIBE && (level_is(topic, len, "#") || level_is(topic, len, "+"))){
		/* Allowed: each delivered message is checked again with READ, so a student's
		 * "#" yields only what that student may read. */
		return true;
	}
	if(role == PERCH_ROLE_INSTRUCTOR){
		return true;
	}
	return deny(why, WHY_OTHER_USER);
}

bool perch_acl_check(const char *user, enum perch_role role, const char *topic,
		enum perch_access access, const char **why)
{
	size_t len;

	if(why){
		*why = NULL;
	}
	if(!topic || !*topic){
		return deny(why, WHY_EMPTY);
	}
	if(access == PERCH_ACCESS_SUBSCRIBE){
		topic = strip_share(topic);
		if(!topic){
			return deny(why, WHY_SHARE);
		}
	}
	if(role == PERCH_ROLE_SERVICE || role == PERCH_ROLE_ADMIN){
		return true;
	}
	len = first_level(topic);
	if(len == 0){
		return deny(why, WHY_EMPTY);
	}
	if(role == PERCH_ROLE_ANONYMOUS){
		return check_anonymous(topic, len, access, why);
	}
	if(access == PERCH_ACCESS_WRITE){
		return check_write(user, role, topic, len, why);
	}
	return check_read(user, role, topic, len, access, why);
}
