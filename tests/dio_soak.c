// SPDX-License-Identifier: GPL-2.0
/*
 * dio_soak: direct I/O racing buffered writes, mmap writes, truncate, AIO and
 * fork() on one filesystem for a given time, with content checks.
 *
 * Usage: dio_soak <dir> <fsname> <seconds>
 * Prints one TAP line with the operation and error counts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REGION (256 * 1024)
#define NDIO 4

static const char *dir, *fsname;
static time_t deadline;
static atomic_long ops, errors;
static char first_error[256];
static pthread_mutex_t err_lock = PTHREAD_MUTEX_INITIALIZER;

static void error(const char *what, long a, long b)
{
	atomic_fetch_add(&errors, 1);
	pthread_mutex_lock(&err_lock);
	if (!first_error[0])
		snprintf(first_error, sizeof(first_error), "%s (%ld, %ld, errno %d)", what, a, b, errno);
	pthread_mutex_unlock(&err_lock);
}

static void *abuf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(2);
	return p;
}

static void fill(void *buf, size_t len, uint32_t seed)
{
	uint32_t *p = buf;
	size_t i;

	for (i = 0; i < len / 4; i++)
		p[i] = seed * 2654435761u + (uint32_t)i * 40503u + 1;
}

static int running(void)
{
	return time(NULL) < deadline;
}

static char *path(const char *name, char *buf)
{
	sprintf(buf, "%s/%s", dir, name);
	return buf;
}

/* Direct writers, each on its own region of a shared file, reading back. */
static void *dio_worker(void *arg)
{
	long id = (long)arg;
	char p[512], *w = abuf(REGION), *r = abuf(REGION);
	int fd = open(path("soak", p), O_RDWR | O_DIRECT);
	off_t off = id * REGION;
	uint32_t seq = 0;

	while (running()) {
		size_t len = (size_t)(1 + seq % 64) * 4096;

		fill(w, len, (uint32_t)id * 100000 + seq++);
		if (pwrite(fd, w, len, off) != (ssize_t)len)
			error("dio write", id, seq);
		else if (pread(fd, r, len, off) != (ssize_t)len || memcmp(w, r, len))
			error("dio read-back", id, seq);
		atomic_fetch_add(&ops, 2);
	}
	close(fd);
	return NULL;
}

/* Buffered writer on its own region, checked through a direct read. */
static void *buffered_worker(void *arg)
{
	char p[512], *w = abuf(REGION), *r = abuf(REGION);
	int bfd = open(path("soak", p), O_RDWR), dfd = open(p, O_RDONLY | O_DIRECT);
	off_t off = NDIO * REGION;
	uint32_t seq = 0;

	(void)arg;
	while (running()) {
		fill(w, REGION, 900000 + seq++);
		if (pwrite(bfd, w, REGION, off) != REGION)
			error("buffered write", 0, seq);
		else if (pread(dfd, r, REGION, off) != REGION || memcmp(w, r, REGION))
			error("direct read after buffered write", 0, seq);
		atomic_fetch_add(&ops, 2);
	}
	close(bfd);
	close(dfd);
	return NULL;
}

/* mmap writer on its own file, checked through a direct read after msync. */
static void *mmap_worker(void *arg)
{
	char p[512], *w = abuf(REGION), *r = abuf(REGION), *m;
	int fd = open(path("soak-mmap", p), O_RDWR | O_CREAT, 0644), dfd = -1;
	uint32_t seq = 0;

	(void)arg;
	if (!ftruncate(fd, REGION))
		dfd = open(p, O_RDONLY | O_DIRECT);
	if (dfd < 0) {
		error("mmap setup", 0, 0);
		return NULL;
	}
	m = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	while (running() && m != MAP_FAILED) {
		fill(w, REGION, 800000 + seq++);
		memcpy(m, w, REGION);
		if (msync(m, REGION, MS_SYNC))
			error("msync", 0, seq);
		else if (pread(dfd, r, REGION, 0) != REGION || memcmp(w, r, REGION))
			error("direct read after mmap write", 0, seq);
		atomic_fetch_add(&ops, 2);
	}
	munmap(m, REGION);
	close(fd);
	close(dfd);
	return NULL;
}

/* AIO direct writes racing truncate (which waits for them) on their own file. */
static void *truncate_worker(void *arg)
{
	char p[512], *w = abuf(REGION);
	int fd = open(path("soak-trunc", p), O_RDWR | O_CREAT | O_DIRECT, 0644);
	aio_context_t ctx = 0;
	uint32_t seq = 0;

	(void)arg;
	if (fd < 0 || syscall(SYS_io_setup, 8, &ctx)) {
		error("truncate setup", 0, 0);
		return NULL;
	}
	while (running()) {
		struct iocb cb = { 0 }, *cbs[1] = { &cb };
		struct io_event ev;

		if (ftruncate(fd, REGION))
			error("extend", 0, seq);
		fill(w, REGION, seq++);
		cb.aio_fildes = fd;
		cb.aio_lio_opcode = IOCB_CMD_PWRITE;
		cb.aio_buf = (uintptr_t)w;
		cb.aio_nbytes = REGION;
		if (syscall(SYS_io_submit, ctx, 1, cbs) != 1) {
			error("aio submit", 0, seq);
			continue;
		}
		if (ftruncate(fd, 4096 * (seq % 16)))
			error("truncate", 0, seq);
		if (syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL) != 1 || ev.res != REGION)
			error("aio write vs truncate", (long)ev.res, seq);
		atomic_fetch_add(&ops, 3);
	}
	syscall(SYS_io_destroy, ctx);
	close(fd);
	return NULL;
}

/* fork() while direct reads fill a private buffer. */
static void *fork_worker(void *arg)
{
	char p[512], *r = abuf(REGION), *exp = abuf(REGION);
	int fd = open(path("soak-fork", p), O_RDWR | O_CREAT, 0644), dfd = -1, st;
	pid_t pid;

	(void)arg;
	fill(exp, REGION, 7);
	if (pwrite(fd, exp, REGION, 0) == REGION && !fsync(fd))
		dfd = open(p, O_RDONLY | O_DIRECT);
	if (dfd < 0) {
		error("fork setup", 0, 0);
		return NULL;
	}
	while (running()) {
		memset(r, 0, REGION);
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pread(dfd, r, REGION, 0) != REGION || memcmp(r, exp, REGION))
			error("direct read across fork", 0, 0);
		waitpid(pid, &st, 0);
		atomic_fetch_add(&ops, 2);
	}
	close(fd);
	close(dfd);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[NDIO + 4];
	char p[512], *z;
	int fd, i, n = 0;
	long secs;

	if (argc < 4) {
		fprintf(stderr, "usage: %s <dir> <fsname> <seconds>\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	fsname = argv[2];
	secs = atol(argv[3]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..1\n");
	z = abuf((NDIO + 1) * REGION);
	fd = open(path("soak", p), O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || pwrite(fd, z, (NDIO + 1) * REGION, 0) != (NDIO + 1) * REGION || fsync(fd)) {
		printf("not ok 1 - soak:%s setup failed\n# soak:%s: 1 cases, 1 failed\n", fsname, fsname);
		return 1;
	}
	close(fd);
	deadline = time(NULL) + secs;
	for (i = 0; i < NDIO; i++)
		pthread_create(&th[n++], NULL, dio_worker, (void *)(long)i);
	pthread_create(&th[n++], NULL, buffered_worker, NULL);
	pthread_create(&th[n++], NULL, mmap_worker, NULL);
	pthread_create(&th[n++], NULL, truncate_worker, NULL);
	pthread_create(&th[n++], NULL, fork_worker, NULL);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	printf("%s 1 - soak:%s %lds: %ld operations, %ld errors%s%s\n",
	       errors ? "not ok" : "ok", fsname, secs, (long)ops, (long)errors,
	       first_error[0] ? "; first: " : "", first_error);
	printf("# soak:%s: 1 cases, %d failed\n", fsname, errors ? 1 : 0);
	return errors ? 1 : 0;
}
