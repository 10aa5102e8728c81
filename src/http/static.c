/*
 * The built web app (Vite output) from web_dir. Files are sent with sendfile through
 * libmicrohttpd; a path must resolve (symlinks included) to a regular file inside web_dir.
 * Paths without a file extension that name no file are the SPA's own routes: index.html.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/internal.h"
#include "http/url.h"

/*
 * Scripts and styles only from this origin; live data comes over MQTT-over-WebSocket from the
 * broker's own port, hence ws:/wss: in connect-src.
 */
#define CSP "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " \
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ws: wss:; " \
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

static const struct { const char *ext; const char *type; } mime_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "json", "application/json" },
	{ "map", "application/json" },
	{ "webmanifest", "application/manifest+json" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "xml", "application/xml" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "avif", "image/avif" },
	{ "ico", "image/x-icon" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "ttf", "font/ttf" },
	{ "otf", "font/otf" },
	{ "wasm", "application/wasm" },
	{ "pdf", "application/pdf" },
	{ "csv", "text/csv; charset=utf-8" },
};

static const char *mime_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');

	if(dot && (!slash || dot > slash)){
		for(size_t i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++){
			if(strcasecmp(dot + 1, mime_types[i].ext) == 0){
				return mime_types[i].type;
			}
		}
	}
	return "application/octet-stream";
}

/* Segments that could climb out of web_dir or reveal hidden files ("..", ".env", "a\b"). */
static bool segments_safe(const struct perch_req *req)
{
	for(size_t i = 0; i < req->nsegs; i++){
		const char *s = req->segs[i];
		if(s[0] == '.' || strchr(s, '\\') || strlen(s) > NAME_MAX){
			return false;
		}
	}
	return true;
}

/* root + "/" + segments; NULL when too long. The caller frees. */
static char *join_path(const char *root, const struct perch_req *req)
{
	char *path = malloc(PATH_MAX);
	size_t n;

	if(!path){
		return NULL;
	}
	n = (size_t)snprintf(path, PATH_MAX, "%s", root);
	for(size_t i = 0; i < req->nsegs && n < PATH_MAX; i++){
		n += (size_t)snprintf(path + n, PATH_MAX - n, "/%s", req->segs[i]);
	}
	if(n >= PATH_MAX){
		free(path);
		return NULL;
	}
	return path;
}

/*
 * Opens path when it resolves to a regular file inside root. Returns the fd with *st filled,
 * or -1. realpath() follows symlinks, so a link pointing outside web_dir is refused too.
 */
static int open_inside(const char *root, const char *path, struct stat *st)
{
	char *real = realpath(path, NULL);
	size_t rlen = strlen(root);
	int fd = -1;

	if(real && strncmp(real, root, rlen) == 0 && real[rlen] == '/'){
		fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	free(real);
	if(fd >= 0 && (fstat(fd, st) != 0 || !S_ISREG(st->st_mode))){
		close(fd);
		fd = -1;
	}
	return fd;
}

static void security_headers(struct perch_resp *resp)
{
	perch_resp_header(resp, "Content-Security-Policy", CSP);
	perch_resp_header(resp, "X-Content-Type-Options", "nosniff");
	perch_resp_header(resp, "X-Frame-Options", "DENY");
	perch_resp_header(resp, "Referrer-Policy", "same-origin");
}

/* Hashed Vite assets never change under the same name; everything else must be revalidated. */
static const char *cache_control(const struct perch_req *req, bool fallback)
{
	if(!fallback && req->nsegs >= 2 && strcmp(req->segs[0], "assets") == 0){
		return "public, max-age=31536000, immutable";
	}
	return "no-cache";
}

static bool etag_matches(const struct perch_req *req, const char *etag)
{
	const char *inm = perch_req_header(req, "If-None-Match");
	return inm && strstr(inm, etag) != NULL;
}

static void send_file(struct perch_req *req, struct perch_resp *resp, int fd, const struct stat *st,
		const char *path, bool fallback)
{
	char etag[64];

	snprintf(etag, sizeof(etag), "\"%" PRIx64 "-%" PRIx64 "\"", (uint64_t)st->st_size, (uint64_t)st->st_mtime);
	security_headers(resp);
	perch_resp_header(resp, "Cache-Control", cache_control(req, fallback));
	perch_resp_header(resp, "ETag", etag);
	if(etag_matches(req, etag)){
		close(fd);
		perch_resp_text(resp, 304, mime_type(path), "", 0);
		return;
	}
	perch_resp_file(resp, fd, (uint64_t)st->st_size, mime_type(path));
}

static void not_built(struct perch_resp *resp)
{
	static const char msg[] =
		"{\"status\":\"ok\",\"message\":\"perch is running, but the web app is not built: "
		"build it (npm run build in web/) or point web_dir at it. The REST API is under /api/v2.\"}";
	perch_resp_text(resp, 200, "application/json; charset=utf-8", msg, sizeof(msg) - 1);
}

/* index.html for the SPA's routes; false when the web app is not built. */
static bool send_index(const char *root, struct perch_req *req, struct perch_resp *resp)
{
	char path[PATH_MAX];
	struct stat st;
	int fd = -1;

	if((size_t)snprintf(path, sizeof(path), "%s/index.html", root) < sizeof(path)){
		fd = open_inside(root, path, &st);
	}
	if(fd >= 0){
		send_file(req, resp, fd, &st, path, true);
	}
	return fd >= 0;
}

/*
 * The web app's directory as an absolute real path, or NULL when there is none. Resolved on
 * each request, so that an app built while perch runs is served at once.
 */
static char *web_root(const struct perch_config *cfg)
{
	struct stat st;
	char *real;

	if(!cfg || !cfg->web_dir || !*cfg->web_dir){
		return NULL;
	}
	real = realpath(cfg->web_dir, NULL);
	if(real && (stat(real, &st) != 0 || !S_ISDIR(st.st_mode))){
		free(real);
		real = NULL;
	}
	return real;
}

/* A file of the app, index.html for a client-side route, or 404. */
static void serve_from(const char *root, struct perch_req *req, struct perch_resp *resp)
{
	struct stat st;
	char *path;
	int fd;

	if(!segments_safe(req)){
		perch_resp_error(resp, 404, "not found");
		return;
	}
	path = req->nsegs > 0 ? join_path(root, req) : NULL;
	fd = path ? open_inside(root, path, &st) : -1;
	if(fd >= 0){
		send_file(req, resp, fd, &st, path, false);
		free(path);
		return;
	}
	free(path);
	/* "/dashboards/3" is a client-side route; "/app.js" that is missing is a 404 */
	if(!perch_url_has_extension(req) && send_index(root, req, resp)){
		return;
	}
	if(req->nsegs == 0){
		not_built(resp);
	}else{
		perch_resp_error(resp, 404, "not found");
	}
}

void perch_http_static(struct perch_http *http, struct perch_req *req, struct perch_resp *resp)
{
	char *root = web_root(http->env.cfg);

	if(root){
		serve_from(root, req, resp);
	}else if(req->nsegs == 0){
		not_built(resp);
	}else{
		perch_resp_error(resp, 404, "not found");
	}
	free(root);
}
