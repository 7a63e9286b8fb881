// SPDX-License-Identifier: GPL-2.0
/*
 * C glue for the Rust direct-I/O engine: the export, the initcall, and
 * out-of-line wrappers for static inline kernel functions.  No engine logic
 * lives here; see direct_io.rs.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/buffer_head.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/task_io_accounting_ops.h>
#include <linux/uio.h>
#include "rustdio.h"

#define CREATE_TRACE_POINTS
#include "rustdio_trace.h"

/* Non-GPL, like fs/direct-io.c: out-of-tree filesystems link against it. */
EXPORT_SYMBOL(__blockdev_direct_IO);

static int __init rustdio_dio_init(void)
{
	return rustdio_init();
}
module_init(rustdio_dio_init);

struct kmem_cache *rustdio_kmem_cache_create(const char *name, unsigned int size,
					     unsigned int align)
{
	return kmem_cache_create(name, size, align, SLAB_PANIC, NULL);
}

void *rustdio_kmem_cache_alloc(struct kmem_cache *cache)
{
	return kmem_cache_alloc(cache, GFP_KERNEL);
}

bool rustdio_iocb_is_dsync(const struct kiocb *iocb)
{
	return iocb_is_dsync(iocb);
}

ssize_t rustdio_generic_write_sync(struct kiocb *iocb, ssize_t count)
{
	return generic_write_sync(iocb, count);
}

struct page *rustdio_zero_page(void)
{
	return ZERO_PAGE(0);
}

void rustdio_zero_user(struct page *page, unsigned int start, unsigned int size)
{
	zero_user(page, start, size);
}

void rustdio_page_add_pin(struct page *page)
{
	folio_add_pin(page_folio(page));
}

void rustdio_task_io_account_write(size_t bytes)
{
	task_io_account_write(bytes);
}

/* Marks current as about to sleep before it is published as a waiter. */
struct task_struct *rustdio_prepare_to_sleep(void)
{
	__set_current_state(TASK_UNINTERRUPTIBLE);
	return current;
}

/* Where fs/direct-io.c would BUG(): the engine fails the request instead. */
void rustdio_warn_invariant(const char *what)
{
	WARN(1, "rustdio: broken invariant: %s\n", what);
}

#ifdef CONFIG_LEGACY_DIRECT_IO_RUST_FORCE_INVARIANT
/*
 * Test hook: writing a site number (1-9) to debugfs rustdio/force_invariant
 * makes the next request that reaches that former BUG() site take its
 * failure path, once.  A forced break is logged without WARN (no taint).
 */
static u32 rustdio_forced_site;

bool rustdio_invariant_forced(u32 site)
{
	if (READ_ONCE(rustdio_forced_site) != site ||
	    cmpxchg(&rustdio_forced_site, site, 0) != site)
		return false;
	pr_info("rustdio: test hook: failure path of invariant site %u taken\n", site);
	return true;
}

static int __init rustdio_debugfs_init(void)
{
	debugfs_create_u32("force_invariant", 0600, debugfs_create_dir("rustdio", NULL),
			   &rustdio_forced_site);
	return 0;
}
late_initcall(rustdio_debugfs_init);
#endif

void rustdio_spin_lock_init(spinlock_t *lock)
{
	spin_lock_init(lock);
}

/* A spinlock_t is a sleeping rt_mutex on PREEMPT_RT: only these calls are right. */
unsigned long rustdio_spin_lock_irqsave(spinlock_t *lock)
{
	unsigned long flags;

	spin_lock_irqsave(lock, flags);
	return flags;
}

void rustdio_spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	spin_unlock_irqrestore(lock, flags);
}

/*
 * The inode inlines carry memory ordering that must stay C's:
 * inode_dio_end()'s atomic_dec_and_test() is the full barrier that
 * wake_up_var()'s lockless waiter check relies on, and i_size_read() is a
 * seqcount read on 32-bit SMP and an acquire load elsewhere.
 */
void rustdio_inode_dio_begin(struct inode *inode)
{
	inode_dio_begin(inode);
}

void rustdio_inode_dio_end(struct inode *inode)
{
	inode_dio_end(inode);
}

loff_t rustdio_i_size_read(const struct inode *inode)
{
	return i_size_read(inode);
}

unsigned int rustdio_i_blkbits(const struct inode *inode)
{
	return READ_ONCE(inode->i_blkbits);
}

/* Read without a lock, as fs/direct-io.c does, to skip needless invalidation. */
bool rustdio_mapping_has_pages(const struct inode *inode)
{
	return inode->i_mapping->nrpages != 0;
}

struct workqueue_struct *rustdio_dio_done_wq(const struct super_block *sb)
{
	return READ_ONCE(sb->s_dio_done_wq);
}

void rustdio_init_work(struct work_struct *work, work_func_t func)
{
	INIT_WORK(work, func);
}

bool rustdio_queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	return queue_work(wq, work);
}

/*
 * Out of line so that Rust can call them; trace_*() tests the tracepoint's
 * static key before anything else, so a disabled event costs this call.
 */
void rustdio_trace_dio_begin(const struct kiocb *iocb, const struct inode *inode,
			     size_t count, bool is_write, bool is_async, int flags)
{
	trace_rustdio_dio_begin(iocb, inode, count, is_write, is_async, flags);
}

void rustdio_trace_dio_complete(const struct inode *inode, loff_t pos,
				ssize_t transferred, ssize_t ret, size_t zeroed,
				u64 bios_source)
{
	trace_rustdio_dio_complete(inode, pos, transferred, ret, bios_source >> 32, zeroed,
				   (int)(u32)bios_source);
}
