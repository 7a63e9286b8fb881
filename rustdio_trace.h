/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the Rust direct-I/O engine: one event when a request has
 * been accepted, one when it completes.  Emitted through the helpers in
 * dio_glue.c.  The Rust code cannot use the static branch, so each event's
 * reg/unreg callbacks (called when its first probe attaches and its last
 * detaches) set a flag that the engine tests before calling the helper: a
 * disabled event costs a load and a branch.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM rustdio

#if !defined(_FS_RUSTDIO_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _FS_RUSTDIO_TRACE_H

#include <linux/fs.h>
#include <linux/tracepoint.h>
#include "rustdio.h"

/* Enum values, so that trace-cmd and perf can decode the flags. */
TRACE_DEFINE_ENUM(DIO_LOCKING);
TRACE_DEFINE_ENUM(DIO_SKIP_HOLES);

TRACE_EVENT_FN(rustdio_dio_begin,
	TP_PROTO(const struct kiocb *iocb, const struct inode *inode, size_t count,
		 bool is_write, bool is_async, int flags),
	TP_ARGS(iocb, inode, count, is_write, is_async, flags),
	TP_STRUCT__entry(
		__field(dev_t, dev)
		__field(ino_t, ino)
		__field(loff_t, pos)
		__field(size_t, count)
		__field(bool, write)
		__field(bool, async)
		__field(bool, dsync)
		__field(int, flags)
	),
	TP_fast_assign(
		__entry->dev = inode->i_sb->s_dev;
		__entry->ino = inode->i_ino;
		__entry->pos = iocb->ki_pos;
		__entry->count = count;
		__entry->write = is_write;
		__entry->async = is_async;
		__entry->dsync = iocb_is_dsync(iocb);
		__entry->flags = flags;
	),
	TP_printk("dev %d:%d ino 0x%lx pos 0x%llx count %zu %s %s dsync %d flags %s",
		  MAJOR(__entry->dev), MINOR(__entry->dev), __entry->ino,
		  __entry->pos, __entry->count,
		  __entry->write ? "write" : "read",
		  __entry->async ? "async" : "sync", __entry->dsync,
		  __print_flags(__entry->flags, "|",
				{ DIO_LOCKING, "LOCKING" },
				{ DIO_SKIP_HOLES, "SKIP_HOLES" })),
	rustdio_trace_begin_reg, rustdio_trace_begin_unreg
);

TRACE_EVENT_FN(rustdio_dio_complete,
	TP_PROTO(const struct inode *inode, loff_t pos, ssize_t transferred,
		 ssize_t ret, unsigned int bios, size_t zeroed, int source),
	TP_ARGS(inode, pos, transferred, ret, bios, zeroed, source),
	TP_STRUCT__entry(
		__field(dev_t, dev)
		__field(ino_t, ino)
		__field(loff_t, pos)
		__field(ssize_t, transferred)
		__field(ssize_t, ret)
		__field(unsigned int, bios)
		__field(size_t, zeroed)
		__field(int, source)
	),
	TP_fast_assign(
		__entry->dev = inode->i_sb->s_dev;
		__entry->ino = inode->i_ino;
		__entry->pos = pos;
		__entry->transferred = transferred;
		__entry->ret = ret;
		__entry->bios = bios;
		__entry->zeroed = zeroed;
		__entry->source = source;
	),
	TP_printk("dev %d:%d ino 0x%lx pos 0x%llx transferred %zd ret %zd bios %u zeroed %zu result %s",
		  MAJOR(__entry->dev), MINOR(__entry->dev), __entry->ino,
		  __entry->pos, __entry->transferred, __entry->ret,
		  __entry->bios, __entry->zeroed,
		  __print_symbolic(__entry->source,
				   { RUSTDIO_RESULT_BYTES, "bytes" },
				   { RUSTDIO_RESULT_SUBMIT, "submit" },
				   { RUSTDIO_RESULT_PAGE, "page" },
				   { RUSTDIO_RESULT_BIO, "bio" },
				   { RUSTDIO_RESULT_END_IO, "end_io" },
				   { RUSTDIO_RESULT_SYNC, "sync" })),
	rustdio_trace_complete_reg, rustdio_trace_complete_unreg
);

#endif /* _FS_RUSTDIO_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE rustdio_trace
#include <trace/define_trace.h>
