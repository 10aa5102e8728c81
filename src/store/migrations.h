/* The SQL migrations compiled into perch (generated from sql/ at build time). */
#ifndef PERCH_MIGRATIONS_H
#define PERCH_MIGRATIONS_H

struct perch_migration {
	int version;      /* the file's number: 1 for 001_init.sql */
	const char *name;
	const char *sql;
};

/* Ordered by version, ended by an entry whose name is NULL. */
extern const struct perch_migration perch_migrations[];

#endif
