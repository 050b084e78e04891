/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SMART_MADVISE_POOL_H
#define SMART_MADVISE_POOL_H

#include <linux/llist.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

struct kmem_cache;

/*
 * Objects for paths that may not use the slab (see pool.c): a reserve
 * refilled in process context, and freed objects the reserve had no room
 * for, freed there too.
 */
struct sm_pool {
	struct kmem_cache *cache;
	void **objs;
	unsigned int nr, size;
	raw_spinlock_t lock;
	struct llist_head trash;
	struct work_struct refill;
};

int sm_pool_init(struct sm_pool *pool, struct kmem_cache *cache,
		 unsigned int size);
void *sm_pool_take(struct sm_pool *pool);
void sm_pool_put(struct sm_pool *pool, void *obj);
void sm_pool_refill(struct sm_pool *pool);
void sm_pool_destroy(struct sm_pool *pool);

#endif
