/* perch migrate, perch user …, perch key …: administration from the command line. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/db.h"
#include "store/users.h"

PGconn *perch_cli_connect(const struct perch_config *cfg)
{
	char err[512];
	PGconn *conn = perch_db_connect(cfg->database_url, err, sizeof(err));
	if(!conn){
		fprintf(stderr, "perch: %s\n", err);
	}
	return conn;
}

int perch_cmd_migrate(struct perch_config *cfg, int argc, char **argv)
{
	char err[1024];
	PGconn *conn;
	int rc;

	(void)argc;
	(void)argv;
	conn = perch_cli_connect(cfg);
	if(!conn){
		return 1;
	}
	rc = perch_db_migrate(conn, err, sizeof(err));
	if(rc == 0){
		rc = perch_db_ensure_partitions(conn, 1, 3, err, sizeof(err));
	}
	PQfinish(conn);
	if(rc != 0){
		fprintf(stderr, "perch: %s\n", err);
		return 1;
	}
	printf("database is up to date\n");
	return 0;
}

/* Parses "--name value" options after the positional arguments; value NULL for flags. */
struct opt {
	const char *name;
	bool takes_value;
	const char *value;
	bool seen;
};

static int parse_opts(int argc, char **argv, int first, struct opt *opts, size_t nopts)
{
	for(int i = first; i < argc; i++){
		size_t k;
		for(k = 0; k < nopts; k++){
			if(strcmp(argv[i], opts[k].name) == 0){
				break;
			}
		}
		if(k == nopts){
			fprintf(stderr, "perch: unexpected argument \"%s\"\n", argv[i]);
			return -1;
		}
		opts[k].seen = true;
		if(opts[k].takes_value){
			if(i + 1 >= argc){
				fprintf(stderr, "perch: %s needs a value\n", argv[i]);
				return -1;
			}
			opts[k].value = argv[++i];
		}
	}
	return 0;
}

static int parse_limit(const struct opt *o, int *out)
{
	char *end = NULL;
	long v;
	*out = -1;
	if(!o->seen){
		return 0;
	}
	errno = 0;
	v = strtol(o->value, &end, 10);
	if(errno || *end || end == o->value || v < 0 || v > 1000000000){
		fprintf(stderr, "perch: %s must be a whole number, not \"%s\"\n", o->name, o->value);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int user_add(PGconn *conn, int argc, char **argv)
{
	struct opt opts[] = {
		{ "--instructor", false, NULL, false }, { "--admin", false, NULL, false },
		{ "--password", true, NULL, false }, { "--email", true, NULL, false },
	};
	enum perch_role role = PERCH_ROLE_STUDENT;
	char err[512];
	int64_t id;

	if(argc < 3 || parse_opts(argc, argv, 3, opts, 4) != 0){
		fprintf(stderr, "usage: perch user add NAME [--instructor|--admin] [--password PW] [--email E]\n");
		return 2;
	}
	if(opts[0].seen){
		role = PERCH_ROLE_INSTRUCTOR;
	}
	if(opts[1].seen){
		role = PERCH_ROLE_ADMIN;
	}
	if(perch_user_add(conn, argv[2], role, opts[2].value, opts[3].value, &id, err, sizeof(err)) != 0){
		fprintf(stderr, "perch: %s\n", err);
		return 1;
	}
	printf("user %s added (%s, id %" PRId64 ")\n", argv[2], perch_role_name(role), id);
	return 0;
}

static int user_set(PGconn *conn, int argc, char **argv)
{
	struct opt opts[] = {
		{ "--rate", true, NULL, false }, { "--max-connections", true, NULL, false },
		{ "--max-payload", true, NULL, false }, { "--max-feeds", true, NULL, false },
		{ "--max-dashboards", true, NULL, false }, { "--retention-days", true, NULL, false },
		{ "--password", true, NULL, false }, { "--role", true, NULL, false },
	};
	struct perch_user_limits lim;
	char err[512];
	int rc = 0;

	if(argc < 3 || parse_opts(argc, argv, 3, opts, 8) != 0){
		fprintf(stderr, "usage: perch user set NAME [--rate N] [--max-connections N] [--max-payload BYTES]\n"
				"       [--max-feeds N] [--max-dashboards N] [--retention-days N] [--password PW] [--role ROLE]\n");
		return 2;
	}
	if(parse_limit(&opts[0], &lim.rate_limit) || parse_limit(&opts[1], &lim.max_connections)
			|| parse_limit(&opts[2], &lim.max_payload) || parse_limit(&opts[3], &lim.max_feeds)
			|| parse_limit(&opts[4], &lim.max_dashboards) || parse_limit(&opts[5], &lim.retention_days)){
		return 2;
	}
	rc = perch_user_set_limits(conn, argv[2], &lim, err, sizeof(err));
	if(rc == 0 && opts[6].seen){
		rc = perch_user_set_password(conn, argv[2], opts[6].value, err, sizeof(err));
	}
	if(rc == 0 && opts[7].seen){
		rc = perch_user_set_role(conn, argv[2], perch_role_from_string(opts[7].value), err, sizeof(err));
	}
	if(rc != 0){
		fprintf(stderr, "perch: %s\n", err);
		return 1;
	}
	printf("user %s updated\n", argv[2]);
	return 0;
}

static int user_list(PGconn *conn)
{
	char err[512];
	PGresult *res = perch_db_exec(conn, err, sizeof(err),
			"SELECT username, role, CASE WHEN disabled THEN 'disabled' ELSE 'active' END, rate_limit, "
			"max_connections, max_payload, max_feeds, retention_days, "
			"(SELECT count(*) FROM feeds f WHERE f.user_id = u.id), "
			"(SELECT count(*) FROM mqtt_keys k WHERE k.user_id = u.id AND k.revoked_at IS NULL) "
			"FROM users u ORDER BY username", 0, NULL);
	if(!res){
		fprintf(stderr, "perch: %s\n", err);
		return 1;
	}
	printf("user\trole\tstatus\trate/s\tconns\tpayload\tmax_feeds\tretention_days\tfeeds\tkeys\n");
	for(int r = 0; r < PQntuples(res); r++){
		for(int c = 0; c < PQnfields(res); c++){
			printf("%s%s", c ? "\t" : "", PQgetvalue(res, r, c));
		}
		printf("\n");
	}
	PQclear(res);
	return 0;
}

int perch_cmd_user(struct perch_config *cfg, int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : "";
	char err[512];
	PGconn *conn;
	int rc;

	if(strcmp(sub, "add") && strcmp(sub, "disable") && strcmp(sub, "enable") && strcmp(sub, "list") && strcmp(sub, "set")){
		fprintf(stderr, "usage: perch user add|disable|enable|list|set ...\n");
		return 2;
	}
	if(strcmp(sub, "list") != 0 && argc < 3){
		fprintf(stderr, "usage: perch user %s NAME\n", sub);
		return 2;
	}
	conn = perch_cli_connect(cfg);
	if(!conn){
		return 1;
	}
	if(strcmp(sub, "add") == 0){
		rc = user_add(conn, argc, argv);
	}else if(strcmp(sub, "set") == 0){
		rc = user_set(conn, argc, argv);
	}else if(strcmp(sub, "list") == 0){
		rc = user_list(conn);
	}else{
		bool disable = strcmp(sub, "disable") == 0;
		rc = perch_user_set_disabled(conn, argv[2], disable, err, sizeof(err)) == 0 ? 0 : 1;
		if(rc == 0){
			printf("user %s %s\n", argv[2], disable ? "disabled" : "enabled");
		}else{
			fprintf(stderr, "perch: %s\n", err);
		}
	}
	PQfinish(conn);
	return rc;
}

static int key_new(struct perch_config *cfg, PGconn *conn, int argc, char **argv)
{
	struct opt opts[] = { { "--label", true, NULL, false } };
	char key[PERCH_KEY_LEN + 1], err[512];
	int64_t id;

	if(parse_opts(argc, argv, 3, opts, 1) != 0){
		return 2;
	}
	if(perch_config_secret(cfg, true, err, sizeof(err)) != 0
			|| perch_key_new(conn, cfg->secret, argv[2], opts[0].value, key, &id, err, sizeof(err)) != 0){
		fprintf(stderr, "perch: %s\n", err);
		return 1;
	}
	printf("key %" PRId64 " for %s (%s); it is shown only this once:\n", id, argv[2],
			opts[0].value ? opts[0].value : "no label");
	printf("%s\n", key);
	return 0;
}

static int key_list(PGconn *conn, const char *username)
{
	char err[512];
	const char *params[1] = { username };
	PGresult *res = perch_db_exec(conn, err, sizeof(err),
			"SELECT k.id, k.label, k.shown || '…', to_char(k.created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
			"coalesce(to_char(k.last_used_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'never'), "
			"coalesce('revoked ' || to_char(k.revoked_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'active') "
			"FROM mqtt_keys k JOIN users u ON u.id = k.user_id WHERE u.username = $1 ORDER BY k.id",
			1, params);
	if(!res){
		fprintf(stderr, "perch: %s\n", err);
		return 1;
	}
	printf("id\tlabel\tkey\tcreated\tlast_used\tstatus\n");
	for(int r = 0; r < PQntuples(res); r++){
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1),
				PQgetvalue(res, r, 2), PQgetvalue(res, r, 3), PQgetvalue(res, r, 4), PQgetvalue(res, r, 5));
	}
	PQclear(res);
	return 0;
}

static int key_revoke(PGconn *conn, int argc, char **argv)
{
	char err[512], *end = NULL;
	long long id;

	if(argc != 4){
		fprintf(stderr, "usage: perch key revoke NAME KEYID\n");
		return 2;
	}
	id = strtoll(argv[3], &end, 10);
	if(*end || end == argv[3] || id <= 0){
		fprintf(stderr, "perch: KEYID is the number shown by perch key list\n");
		return 2;
	}
	if(perch_key_revoke(conn, argv[2], id, err, sizeof(err)) != 0){
		fprintf(stderr, "perch: %s\n", err);
		return 1;
	}
	printf("key %lld of %s revoked\n", id, argv[2]);
	return 0;
}

int perch_cmd_key(struct perch_config *cfg, int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : "";
	PGconn *conn;
	int rc;

	if(argc < 3 || (strcmp(sub, "new") && strcmp(sub, "list") && strcmp(sub, "revoke"))){
		fprintf(stderr, "usage: perch key new NAME [--label TEXT] | key list NAME | key revoke NAME KEYID\n");
		return 2;
	}
	conn = perch_cli_connect(cfg);
	if(!conn){
		return 1;
	}
	if(strcmp(sub, "new") == 0){
		rc = key_new(cfg, conn, argc, argv);
	}else if(strcmp(sub, "list") == 0){
		rc = key_list(conn, argv[2]);
	}else{
		rc = key_revoke(conn, argc, argv);
	}
	PQfinish(conn);
	return rc;
}
