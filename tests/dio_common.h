/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest test programs: data patterns, raw Linux AIO,
 * /proc/self/io and page pin state.
 */
#ifndef DIO_COMMON_H
#define DIO_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096
#define MIB (1024 * 1024)

static inline void fill(void *buf, size_t len, unsigned int seed)
{
	uint32_t *p = buf;
	size_t i;

	for (i = 0; i < len / 4; i++)
		p[i] = seed * 2654435761u + (uint32_t)i * 40503u + 1;
}

/* Write s to a sysfs, debugfs, procfs or tracefs file; 0 on success. */
static inline int write_str(const char *file, const char *s)
{
	int fd = open(file, O_WRONLY | O_TRUNC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s));
	close(fd);
	return r == (ssize_t)strlen(s) ? 0 : -1;
}

/* Read a short sysfs, debugfs or procfs file into buf (NUL-terminated); 0 on success. */
static inline int read_str(const char *file, char *buf, size_t len)
{
	int fd = open(file, O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, len - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = 0;
	return 0;
}

static inline long io_setup_(unsigned int n, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, n, ctx);
}

static inline long io_destroy_(aio_context_t ctx)
{
	return syscall(SYS_io_destroy, ctx);
}

static inline long io_submit_one(aio_context_t ctx, struct iocb *cb, int fd,
				 int write, void *buf, size_t len, off_t off,
				 int rwflags)
{
	struct iocb *cbs[1] = { cb };

	memset(cb, 0, sizeof(*cb));
	cb->aio_fildes = fd;
	cb->aio_lio_opcode = write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD;
	cb->aio_buf = (uintptr_t)buf;
	cb->aio_nbytes = len;
	cb->aio_offset = off;
	cb->aio_rw_flags = rwflags;
	return syscall(SYS_io_submit, ctx, 1, cbs);
}

/*
 * Submit one iocb and wait for its event; returns the event's res (a byte
 * count or -errno). Failures of the AIO calls themselves are -1000 - errno
 * (io_setup), -2000 - errno (io_submit) and -3000 - errno (io_getevents).
 */
static inline long aio_rw(int fd, int write, void *buf, size_t len, off_t off,
			  int rwflags, int *submit_ret)
{
	aio_context_t ctx = 0;
	struct iocb cb;
	struct io_event ev;
	long r;

	if (io_setup_(4, &ctx))
		return -1000 - errno;
	r = io_submit_one(ctx, &cb, fd, write, buf, len, off, rwflags);
	if (submit_ret)
		*submit_ret = (int)r;
	if (r != 1) {
		r = -2000 - errno;
		io_destroy_(ctx);
		return r;
	}
	r = syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL);
	io_destroy_(ctx);
	if (r != 1)
		return -3000 - errno;
	return (long)ev.res;
}

/* A field of /proc/self/io, or -1. */
static inline long io_field(const char *key)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/self/io", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = atol(line + strlen(key));
	fclose(f);
	return v;
}

/* Page frame backing addr (/proc/self/pagemap, as root), or 0 when not present. */
static inline uint64_t page_pfn(int pagemap, const void *addr)
{
	uint64_t ent = 0;

	if (pread(pagemap, &ent, sizeof(ent), (off_t)((uintptr_t)addr / PG * sizeof(ent))) !=
	    sizeof(ent) || !(ent & (1ULL << 63)))
		return 0;
	return ent & ((1ULL << 55) - 1);
}

/*
 * Index of the first page of the private anonymous buffer [buf, buf + len)
 * that still holds a pin (or is not present), or -1 when none does; -2 if
 * the check itself failed.
 *
 * fork() shares an unpinned anonymous page with the child but gives the
 * child its own copy of a page that may be pinned for DMA
 * (folio_maybe_dma_pinned(), i.e. GUP_PIN_COUNTING_BIAS in the count of a
 * small folio; the guest kernel has no THP), so a pinned page shows as a
 * different page frame in the child.
 */
static inline long first_pinned_page(const void *buf, size_t len)
{
	size_t n = len / PG, i;
	uint64_t *pfn = calloc(n ? n : 1, sizeof(*pfn));
	int pagemap = open("/proc/self/pagemap", O_RDONLY), pipefd[2];
	long first = -1;
	pid_t pid;

	if (!pfn || pagemap < 0 || pipe(pipefd))
		return -2;
	for (i = 0; i < n; i++)
		pfn[i] = page_pfn(pagemap, (const char *)buf + i * PG);
	pid = fork();
	if (pid == 0) {
		/* The inherited descriptor reads the parent's page tables. */
		pagemap = open("/proc/self/pagemap", O_RDONLY);
		for (i = 0; i < n && first < 0; i++)
			if (!pfn[i] || page_pfn(pagemap, (const char *)buf + i * PG) != pfn[i])
				first = (long)i;
		_exit(write(pipefd[1], &first, sizeof(first)) == sizeof(first) ? 0 : 1);
	}
	close(pipefd[1]);
	if (pid < 0 || read(pipefd[0], &first, sizeof(first)) != sizeof(first))
		first = -2;
	if (pid > 0)
		waitpid(pid, NULL, 0);
	close(pipefd[0]);
	close(pagemap);
	free(pfn);
	return first;
}

#endif /* DIO_COMMON_H */
