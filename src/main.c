/* perch: a self-hosted IoT data platform. This is the program's entry: perch [options] COMMAND. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "keys.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: perch [options] COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  serve                        run perch: broker (unless external), ingest, HTTP, scheduler\n"
		"  migrate                      apply the database migrations\n"
		"  user add NAME [--instructor|--admin] [--password PW] [--email E]\n"
		"  user disable NAME | user enable NAME | user list\n"
		"  user set NAME [--rate N] [--max-connections N] [--max-payload BYTES] [--max-feeds N]\n"
		"           [--max-dashboards N] [--retention-days N] [--password PW] [--role ROLE]\n"
		"  key new NAME [--label TEXT]  make an MQTT key (printed once, on the last line)\n"
		"  key list NAME | key revoke NAME KEYID\n"
		"  mosquitto-conf               print the Mosquitto configuration perch uses\n"
		"  sim [options]                simulated boards (see perch sim --help)\n"
		"  config                       print the configuration in effect\n"
		"\n"
		"options (also PERCH_<NAME> in the environment, or \"name = value\" in --config FILE):\n"
		"  --config FILE\n");
	perch_config_usage(out);
}

int main(int argc, char **argv)
{
	struct perch_config cfg;
	char err[512];
	int argi = 1, rc;
	const char *cmd;

	if(perch_crypto_init() != 0){
		fprintf(stderr, "perch: libsodium cannot start\n");
		return 1;
	}
	if(argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)){
		usage(stdout);
		return 0;
	}
	if(perch_config_load(&cfg, argc, argv, &argi, err, sizeof(err)) != 0){
		fprintf(stderr, "perch: %s\n", err);
		perch_config_free(&cfg);
		return 2;
	}
	if(argi >= argc){
		usage(stderr);
		perch_config_free(&cfg);
		return 2;
	}
	cmd = argv[argi];
	argc -= argi;
	argv += argi;
	if(strcmp(cmd, "serve") == 0){
		rc = perch_cmd_serve(&cfg, argc, argv);
	}else if(strcmp(cmd, "migrate") == 0){
		rc = perch_cmd_migrate(&cfg, argc, argv);
	}else if(strcmp(cmd, "user") == 0){
		rc = perch_cmd_user(&cfg, argc, argv);
	}else if(strcmp(cmd, "key") == 0){
		rc = perch_cmd_key(&cfg, argc, argv);
	}else if(strcmp(cmd, "mosquitto-conf") == 0){
		rc = perch_cmd_mosquitto_conf(&cfg, argc, argv);
	}else if(strcmp(cmd, "sim") == 0){
		rc = perch_cmd_sim(&cfg, argc, argv);
	}else if(strcmp(cmd, "config") == 0){
		perch_config_print(&cfg, stdout);
		rc = 0;
	}else{
		fprintf(stderr, "perch: unknown command \"%s\" (perch --help lists them)\n", cmd);
		rc = 2;
	}
	perch_config_free(&cfg);
	return rc;
}
