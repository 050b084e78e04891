// SPDX-License-Identifier: GPL-2.0
/*
 * The fault and madvise paths run with interrupts or preemption off, where
 * PREEMPT_RT forbids the slab: they take objects from a reserve instead,
 * and give them back to it. A work item refills the reserve when it runs
 * low and frees what came back while it was full.
 */
#include <linux/slab.h>
#include "pool.h"

static void sm_pool_refill_work(struct work_struct *work)
{
	sm_pool_refill(container_of(work, struct sm_pool, refill));
}

int sm_pool_init(struct sm_pool *pool, struct kmem_cache *cache,
		 unsigned int size)
{
	*pool = (struct sm_pool){ .cache = cache, .size = size };
	pool->objs = kcalloc(size, sizeof(*pool->objs), GFP_KERNEL);
	if (!pool->objs)
		return -ENOMEM;
	raw_spin_lock_init(&pool->lock);
	init_llist_head(&pool->trash);
	INIT_WORK(&pool->refill, sm_pool_refill_work);
	return 0;
}

/* Any context: an object, or NULL when the reserve ran dry. */
void *sm_pool_take(struct sm_pool *pool)
{
	unsigned long flags;
	unsigned int left;
	void *obj = NULL;

	raw_spin_lock_irqsave(&pool->lock, flags);
	if (pool->nr)
		obj = pool->objs[--pool->nr];
	left = pool->nr;
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	if (left < pool->size / 2)
		queue_work(system_wq, &pool->refill);
	return obj;
}

/* Any context: back into the reserve, or freed later when it is full. */
void sm_pool_put(struct sm_pool *pool, void *obj)
{
	unsigned long flags;
	bool kept = false;

	raw_spin_lock_irqsave(&pool->lock, flags);
	if (pool->nr < pool->size) {
		pool->objs[pool->nr++] = obj;
		kept = true;
	}
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	if (kept)
		return;
	/* The object is dead: its first bytes can hold the list node. */
	llist_add(obj, &pool->trash);
	queue_work(system_wq, &pool->refill);
}

static void sm_pool_free_trash(struct sm_pool *pool)
{
	struct llist_node *node, *next;

	llist_for_each_safe(node, next, llist_del_all(&pool->trash))
		kmem_cache_free(pool->cache, node);
}

/* Process context. */
void sm_pool_refill(struct sm_pool *pool)
{
	void *obj;

	sm_pool_free_trash(pool);
	while (READ_ONCE(pool->nr) < pool->size && llist_empty(&pool->trash)) {
		obj = kmem_cache_alloc(pool->cache, GFP_KERNEL | __GFP_NOWARN);
		if (!obj)
			break;
		sm_pool_put(pool, obj);	/* to the trash if it filled meanwhile */
	}
	sm_pool_free_trash(pool);
}

/* Nothing may take or put any more. */
void sm_pool_destroy(struct sm_pool *pool)
{
	cancel_work_sync(&pool->refill);
	sm_pool_free_trash(pool);
	while (pool->nr)
		kmem_cache_free(pool->cache, pool->objs[--pool->nr]);
	kfree(pool->objs);
	pool->objs = NULL;
}
