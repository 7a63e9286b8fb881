/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C helpers for the Rust direct-I/O engine: wrappers for static inline
 * functions and macros that bindgen cannot see.  Implemented in dio_glue.c.
 */
#ifndef _FS_RUSTDIO_RUSTDIO_H
#define _FS_RUSTDIO_RUSTDIO_H

#include <linux/blk_types.h>
#include <linux/fs.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct bio;
struct block_device;
struct buffer_head;
struct inode;
struct iov_iter;
struct kiocb;
struct kmem_cache;
struct page;
struct super_block;
struct task_struct;

/* fs/internal.h, where 6.12 keeps it private to fs/. */
int sb_init_dio_done_wq(struct super_block *sb);

int rustdio_init(void);

struct kmem_cache *rustdio_kmem_cache_create(const char *name, unsigned int size,
					     unsigned int align);
void *rustdio_kmem_cache_alloc(struct kmem_cache *cache);

bool rustdio_iocb_is_dsync(const struct kiocb *iocb);
ssize_t rustdio_generic_write_sync(struct kiocb *iocb, ssize_t count);

struct page *rustdio_zero_page(void);
void rustdio_zero_user(struct page *page, unsigned int start, unsigned int size);
void rustdio_page_add_pin(struct page *page);

void rustdio_task_io_account_write(size_t bytes);
struct task_struct *rustdio_prepare_to_sleep(void);

void rustdio_warn_invariant(const char *what);
bool rustdio_invariant_forced(u32 site);
void rustdio_spin_lock_init(spinlock_t *lock);
unsigned long rustdio_spin_lock_irqsave(spinlock_t *lock);
void rustdio_spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);

struct inode;
void rustdio_inode_dio_begin(struct inode *inode);
void rustdio_inode_dio_end(struct inode *inode);
loff_t rustdio_i_size_read(const struct inode *inode);
unsigned int rustdio_i_blkbits(const struct inode *inode);
bool rustdio_mapping_has_pages(const struct inode *inode);
struct workqueue_struct *rustdio_dio_done_wq(const struct super_block *sb);

void rustdio_init_work(struct work_struct *work, work_func_t func);
bool rustdio_queue_work(struct workqueue_struct *wq, struct work_struct *work);

/*
 * Which value became a completed request's result: the bytes transferred,
 * the submitter's error, the first page error, a bio error, the
 * filesystem's end_io, or generic_write_sync() (rustdio_dio_complete's
 * "result" field).
 */
#define RUSTDIO_RESULT_BYTES	0
#define RUSTDIO_RESULT_SUBMIT	1
#define RUSTDIO_RESULT_PAGE	2
#define RUSTDIO_RESULT_BIO	3
#define RUSTDIO_RESULT_END_IO	4
#define RUSTDIO_RESULT_SYNC	5

/*
 * Called by the tracepoint core when the first probe of an event attaches
 * and when its last detaches; defined in Rust (c_types.rs).
 */
int rustdio_trace_begin_reg(void);
void rustdio_trace_begin_unreg(void);
int rustdio_trace_complete_reg(void);
void rustdio_trace_complete_unreg(void);

/*
 * The rustdio tracepoints (rustdio_trace.h); each tests its static key
 * first.  The completion's bio count (high 32 bits) and result source (low)
 * share one argument, so that all six travel in registers on x86_64.
 */
void rustdio_trace_dio_begin(const struct kiocb *iocb, const struct inode *inode,
			     size_t count, bool is_write, bool is_async, int flags);
void rustdio_trace_dio_complete(const struct inode *inode, loff_t pos,
				ssize_t transferred, ssize_t ret, size_t zeroed,
				u64 bios_source);

/* KUnit cases implemented in Rust (dio_plan.rs, direct_io.rs). */
void rustdio_kunit_alignment(void);
void rustdio_kunit_get_block_span(void);
void rustdio_kunit_chunking(void);
void rustdio_kunit_coalescing(void);
void rustdio_kunit_completion_choice(void);
void rustdio_kunit_result_rules(void);
void rustdio_kunit_refcount(void);

#endif /* _FS_RUSTDIO_RUSTDIO_H */
