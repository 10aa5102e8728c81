/*
 * uthash, configured so that running out of memory fails the one insertion instead of calling
 * exit() inside the broker. A function that adds to a table declares `bool hash_oom = false;`
 * and checks it after HASH_ADD*: when set, the item was not added and still belongs to the caller.
 */
#ifndef PERCH_PLUGIN_UTHASH_CFG_H
#define PERCH_PLUGIN_UTHASH_CFG_H

#include <stdbool.h>

#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(obj) (hash_oom = true)
#include <uthash.h>

#endif
