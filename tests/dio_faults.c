// SPDX-License-Identifier: GPL-2.0
/*
 * dio_faults: device errors, memory faults and allocation failures under
 * direct I/O, on a filesystem that lives on a null_blk device.
 *
 * Usage: dio_faults <dir> <nullb-configfs-dir> <block-device-name> <fs>
 *        dio_faults --dm <dm-name> <dir> <nullb-configfs-dir> <block-device-name> <fs>
 *        dio_faults --nowait|--extend --dm <dm-name> <dir> <nullb-configfs-dir> <bdev> <fs>
 *
 * With --dm the filesystem lives on device-mapper device <dm-name>, linear
 * over the null_blk device, and the dm-error, dm-flakey and dm-delay cases
 * run instead of the others; --nowait runs only the RWF_NOWAIT cases and
 * --extend only the extending-AIO ones, each on its own dm device.
 *
 * Prints TAP; each line carries "expected ... observed ..." so that the
 * runner can tabulate both engines side by side.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "dio_common.h"

static const char *dir, *nullb, *bdev, *fsname;
static int ntest, nfail;

static char *path(const char *name)
{
	static char buf[2][512];
	static int i;

	i ^= 1;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void *abuf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

/* Outcome of a call as text: "<bytes>" or "-<ERRNO name>". */
static const char *outcome(long r, int err)
{
	static char buf[4][64];
	static int i;

	i = (i + 1) & 3;
	if (r >= 0)
		snprintf(buf[i], sizeof(buf[i]), "%ld", r);
	else
		snprintf(buf[i], sizeof(buf[i]), "-%s",
			 err == EIO ? "EIO" : err == EFAULT ? "EFAULT" :
			 err == ENOMEM ? "ENOMEM" : err == EAGAIN ? "EAGAIN" :
			 err == EINVAL ? "EINVAL" : strerror(err));
	return buf[i];
}

static void report(const char *name, const char *expected, const char *observed)
{
	int good = !strcmp(expected, observed);

	ntest++;
	nfail += !good;
	printf("%s %d - faults:%s:%s # expected %s observed %s\n",
	       good ? "ok" : "not ok", ntest, fsname, name, expected, observed);
	fflush(stdout);
}

static int make_file(const char *name, size_t len, unsigned int seed)
{
	void *buf = abuf(len);
	int fd = open(path(name), O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	fill(buf, len, seed);
	if (pwrite(fd, buf, len, 0) != (ssize_t)len || fsync(fd)) {
		close(fd);
		return -1;
	}
	close(fd);
	munmap(buf, len);
	return 0;
}

/* First 512-byte device sector of the file's block at offset off. */
static long file_sector(const char *name, off_t off)
{
	int fd = open(path(name), O_RDONLY);
	int bsz = 0, blk;

	if (fd < 0 || ioctl(fd, FIGETBSZ, &bsz) || bsz <= 0)
		return -1;
	blk = (int)(off / bsz);
	if (ioctl(fd, FIBMAP, &blk) || blk <= 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return (long)blk * (bsz / 512);
}

static int badblocks(char op, long start, long end)
{
	char b[96], f[256];

	snprintf(b, sizeof(b), "%c%ld-%ld", op, start, end);
	snprintf(f, sizeof(f), "%s/badblocks", nullb);
	return write_str(f, b);
}

/* "none" when no page of the buffer holds a pin, else the first pinned page. */
static const char *pinned(const void *buf, size_t len)
{
	static char out[4][32];
	static int i;
	long pg = first_pinned_page(buf, len);

	if (pg == -1)
		return "none";
	if (pg == -2)
		return "check-failed";
	i = (i + 1) & 3;
	snprintf(out[i], sizeof(out[i]), "page-%ld", pg);
	return out[i];
}

static const char *aio_outcome(long r)
{
	return r < 0 ? outcome(-1, (int)-r) : outcome(r, 0);
}

/* "<tag>_<what>": a case name; valid until the next call. */
static const char *tagged(const char *tag, const char *what)
{
	static char buf[96];

	snprintf(buf, sizeof(buf), "%s_%s", tag, what);
	return buf;
}

/*
 * F41 F50: the cases device errors have in common.  The caller has made the
 * 4 KiB piece at 512 KiB of a 1 MiB file (fd, holding old) fail; clear(sec)
 * makes it work again.  Sync and AIO reads and writes over the piece fail
 * with -EIO, a read beside it succeeds, no pin is left behind, and
 * afterwards every block holds either the old or the new (nw) data, nothing
 * torn or stale.  cur receives what the file holds afterwards.
 */
static void piece_error_cases(const char *tag, int fd, const char *old, char *nw,
			      char *cur, long sec, int (*clear)(long sec))
{
	size_t len = MIB;
	char *b = abuf(len);
	long r;
	int e, ok;
	size_t i;

	r = pread(fd, b, len, 0); e = errno;
	report(tagged(tag, "read_sync"), "-EIO", outcome(r, e));
	r = pread(fd, b, 256 * 1024, 0); e = errno;
	report(tagged(tag, "read_outside"), "262144", outcome(r, e));
	report(tagged(tag, "read_outside_data"), "same",
	       memcmp(b, old, 256 * 1024) ? "differs" : "same");
	report(tagged(tag, "read_aio"), "-EIO",
	       aio_outcome(aio_rw(fd, 0, b, len, 0, 0, NULL)));
	r = pwrite(fd, nw, len, 0); e = errno;
	report(tagged(tag, "write_sync"), "-EIO", outcome(r, e));
	report(tagged(tag, "write_aio"), "-EIO",
	       aio_outcome(aio_rw(fd, 1, nw, len, 0, 0, NULL)));
	clear(sec);
	report(tagged(tag, "pins_released"), "none", pinned(b, len));
	report(tagged(tag, "write_pins_released"), "none", pinned(nw, len));

	r = pread(fd, cur, len, 0); e = errno;
	report(tagged(tag, "after_read"), "1048576", outcome(r, e));
	ok = 1;
	for (i = 0; i < len; i += 512)
		if (memcmp(cur + i, old + i, 512) && memcmp(cur + i, nw + i, 512))
			ok = 0;
	report(tagged(tag, "after_data"), "old-or-new", ok ? "old-or-new" : "garbage");
	munmap(b, len);
}

static int badblocks_clear(long sec)
{
	return badblocks('-', sec, sec + 7);
}

/* F41 F50: device errors (null_blk badblocks), sync and async, reads and writes. */
static void device_errors(void)
{
	size_t len = MIB;
	char *old = abuf(len), *nw = abuf(len), *cur = abuf(len);
	long sec;
	int fd;

	sec = make_file("bad", len, 1) ? -1 : file_sector("bad", 512 * 1024);
	if (sec < 0) {
		report("badblock_setup", "ok", "setup-failed");
		return;
	}
	fill(old, len, 1);
	fill(nw, len, 2);
	fd = open(path("bad"), O_RDWR | O_DIRECT);
	badblocks('+', sec, sec + 7);
	piece_error_cases("badblock", fd, old, nw, cur, sec, badblocks_clear);
	close(fd);
	munmap(old, len);
	munmap(nw, len);
	munmap(cur, len);
}

/* F38: a large synchronous read with an early error stops submitting early. */
static void reap_early_stop(void)
{
	size_t len = 80 * MIB;
	char *b;
	long sec, r0, r1, r;
	int fd, e;

	sec = make_file("big", len, 3) ? -1 : file_sector("big", 0);
	if (sec < 0) {
		report("reap_setup", "ok", "setup-failed");
		return;
	}
	b = abuf(len);
	fd = open(path("big"), O_RDONLY | O_DIRECT);
	badblocks('+', sec, sec + 7);
	r0 = io_field("read_bytes: ");
	r = pread(fd, b, len, 0); e = errno;
	r1 = io_field("read_bytes: ");
	badblocks('-', sec, sec + 7);
	report("reap_multibio_read", "-EIO", outcome(r, e));
	/*
	 * Every 64 bios the submitter reaps the completed ones, and a failed
	 * one stops submission.  Whether the first bio's failure is in by then
	 * depends on dispatch timing: 64 of the 80 MiB went out on the plain
	 * kernel, all 80 on the debug kernel, with either engine.  So
	 * it is reported, not asserted.
	 */
	printf("# reap: read_bytes grew by %ld of %zu\n", r1 - r0, len);
	r = pread(fd, b, len, 0); e = errno;
	report("reap_after_clear", "83886080", outcome(r, e));
	close(fd);
	munmap(b, len);
	unlink(path("big"));
}

/* F41: fail_make_request fails the bios at submission. */
static void fail_make_request(void)
{
	size_t len = 256 * 1024;
	char *b = abuf(len), f[256];
	long r;
	int fd, e;

	if (make_file("fmr", len, 4)) {
		report("fail_make_request_setup", "ok", "setup-failed");
		return;
	}
	fd = open(path("fmr"), O_RDWR | O_DIRECT);
	snprintf(f, sizeof(f), "/sys/block/%s/make-it-fail", bdev);
	write_str("/sys/kernel/debug/fail_make_request/probability", "100");
	write_str("/sys/kernel/debug/fail_make_request/interval", "1");
	write_str("/sys/kernel/debug/fail_make_request/verbose", "0");
	write_str("/sys/kernel/debug/fail_make_request/times", "-1");
	write_str(f, "1");
	r = pread(fd, b, len, 0); e = errno;
	report("fail_make_request_read", "-EIO", outcome(r, e));
	r = pwrite(fd, b, len, 0); e = errno;
	report("fail_make_request_write", "-EIO", outcome(r, e));
	report("fail_make_request_aio_read", "-EIO", aio_outcome(aio_rw(fd, 0, b, len, 0, 0, NULL)));
	write_str(f, "0");
	r = pread(fd, b, len, 0); e = errno;
	report("fail_make_request_cleared", "262144", outcome(r, e));
	report("fail_make_request_pins_released", "none", pinned(b, len));
	close(fd);
}

/* F05: failslab on the dio cache gives -ENOMEM and holds nothing. */
static void failslab(void)
{
	char *b = abuf(PG);
	long r;
	int fd, e;

	if (make_file("slab", 64 * 1024, 5)) {
		report("failslab_setup", "ok", "setup-failed");
		return;
	}
	fd = open(path("slab"), O_RDONLY | O_DIRECT);
	if (write_str("/sys/kernel/slab/dio/failslab", "1")) {
		report("failslab_dio", "-ENOMEM", "no-failslab-attribute");
		close(fd);
		return;
	}
	write_str("/sys/kernel/debug/failslab/cache-filter", "Y");
	write_str("/sys/kernel/debug/failslab/task-filter", "Y");
	write_str("/sys/kernel/debug/failslab/verbose", "0");
	write_str("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	write_str("/sys/kernel/debug/failslab/probability", "100");
	write_str("/sys/kernel/debug/failslab/interval", "1");
	write_str("/sys/kernel/debug/failslab/times", "1");
	write_str("/proc/thread-self/make-it-fail", "1");
	r = pread(fd, b, PG, 0); e = errno;
	write_str("/proc/thread-self/make-it-fail", "0");
	write_str("/sys/kernel/slab/dio/failslab", "0");
	report("failslab_dio_read", "-ENOMEM", outcome(r, e));
	r = pread(fd, b, PG, 0); e = errno;
	report("failslab_cleared", "4096", outcome(r, e));
	close(fd);
}

/* F21 F22 F50: a PROT_NONE page at the first, middle or last page of the buffer. */
static void prot_none(void)
{
	static const char *const where[] = { "first", "middle", "last" };
	static const char *const want_read[] = { "-EFAULT", "4096", "8192" };
	size_t len = 3 * PG;
	const char *before, *after;
	char name[64];
	int i, fd, e;
	long r;

	if (make_file("pn", len, 6)) {
		report("prot_none_setup", "ok", "setup-failed");
		return;
	}
	for (i = 0; i < 3; i++) {
		char *b = abuf(len);

		mprotect(b + i * PG, PG, PROT_NONE);
		fd = open(path("pn"), O_RDWR | O_DIRECT);
		r = pread(fd, b, len, 0); e = errno;
		snprintf(name, sizeof(name), "prot_none_%s_read", where[i]);
		report(name, want_read[i], outcome(r, e));
		r = pwrite(fd, b, len, 0); e = errno;
		snprintf(name, sizeof(name), "prot_none_%s_write", where[i]);
		/*
		 * vfat maps one cluster per get_block call, so no mapped blocks are
		 * outstanding when a later page faults: a short write (F22), not
		 * zero-filled blocks and -EFAULT (F21).
		 */
		report(name, want_read[i], outcome(r, e));
		/* The pages around the PROT_NONE one were pinned before it faulted. */
		snprintf(name, sizeof(name), "prot_none_%s_pins_released", where[i]);
		before = i ? pinned(b, i * PG) : "none";
		after = i < 2 ? pinned(b + (i + 1) * PG, (2 - i) * PG) : "none";
		report(name, "none", strcmp(before, "none") ? before : after);
		close(fd);
		munmap(b, len);
	}
}

/* F19: IOV_MAX segments of one logical block each. */
static void many_iovecs(void)
{
	enum { N = 1024, SEG = 512 };
	static struct iovec iov[N];
	char *b = abuf(N * SEG * 2), *r = abuf(N * SEG);
	long n;
	int fd, i, e;

	if (make_file("iov", N * SEG, 7)) {
		report("iov_max_setup", "ok", "setup-failed");
		return;
	}
	for (i = 0; i < N; i++) {
		iov[i].iov_base = b + (size_t)i * 2 * SEG;
		iov[i].iov_len = SEG;
		fill(iov[i].iov_base, SEG, 100 + i);
	}
	fd = open(path("iov"), O_RDWR | O_DIRECT);
	n = pwritev(fd, iov, N, 0); e = errno;
	report("iov_max_write", "524288", outcome(n, e));
	n = pread(fd, r, N * SEG, 0); e = errno;
	report("iov_max_read", "524288", outcome(n, e));
	for (i = 0; i < N; i++)
		if (memcmp(r + (size_t)i * SEG, iov[i].iov_base, SEG))
			break;
	report("iov_max_data", "same", i == N ? "same" : "differs");
	report("iov_max_pins_released", "none", pinned(b, N * SEG * 2));
	close(fd);
}

/* ---- device-mapper faults: the filesystem lives on a dm device over bdev ---- */

static const char *dm_name;
static long dev_sectors;

/*
 * Load a table that maps [start, start + len) sectors with target (a dm
 * table line's target and arguments) and everything else linearly onto
 * bdev, then make it live. len == 0 restores the plain linear table.
 */
static int dm_remap(long start, long len, const char *target)
{
	char cmd[256];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "dmsetup --noudevsync reload %s", dm_name);
	p = popen(cmd, "w");
	if (!p)
		return -1;
	if (!len) {
		fprintf(p, "0 %ld linear /dev/%s 0\n", dev_sectors, bdev);
	} else {
		if (start)
			fprintf(p, "0 %ld linear /dev/%s 0\n", start, bdev);
		fprintf(p, "%ld %ld %s\n", start, len, target);
		if (start + len < dev_sectors)
			fprintf(p, "%ld %ld linear /dev/%s %ld\n", start + len,
				dev_sectors - start - len, bdev, start + len);
	}
	if (pclose(p))
		return -1;
	snprintf(cmd, sizeof(cmd), "dmsetup --noudevsync resume %s", dm_name);
	return system(cmd) ? -1 : 0;
}

static int dm_linear(void)
{
	return dm_remap(0, 0, NULL);
}

/* Bytes of got that equal was and not now, counted in 512-byte units. */
static long kept_bytes(const char *got, const char *was, const char *now, size_t len)
{
	long n = 0;
	size_t i;

	for (i = 0; i < len; i += 512)
		if (!memcmp(got + i, was + i, 512) && memcmp(got + i, now + i, 512))
			n += 512;
	return n;
}

static int dm_clear(long sec)
{
	(void)sec;
	return dm_linear();
}

/* F41 F50: dm-error and dm-flakey under one 4 KiB piece of a 1 MiB file. */
static void dm_errors(void)
{
	size_t len = MIB;
	char *b = abuf(len), *old = abuf(len), *nw = abuf(len), *cur = abuf(len);
	char tgt[160], n[32];
	long sec, r;
	int fd, e;

	sec = make_file("dme", len, 11) ? -1 : file_sector("dme", 512 * 1024);
	if (sec < 0) {
		report("dm_setup", "ok", "setup-failed");
		return;
	}
	fill(old, len, 11);
	fill(nw, len, 12);
	fd = open(path("dme"), O_RDWR | O_DIRECT);
	if (dm_remap(sec, 8, "error")) {
		report("dm_error_setup", "ok", "dmsetup-failed");
		close(fd);
		return;
	}
	piece_error_cases("dm_error", fd, old, nw, cur, sec, dm_clear);

	/* flakey, down, error_writes: reads pass, writes fail. */
	snprintf(tgt, sizeof(tgt), "flakey /dev/%s %ld 0 1 1 error_writes", bdev, sec);
	if (dm_remap(sec, 8, tgt)) {
		report("dm_flakey_setup", "ok", "dmsetup-failed");
		close(fd);
		return;
	}
	r = pread(fd, b, len, 0); e = errno;
	report("dm_flakey_error_writes_read", "1048576", outcome(r, e));
	report("dm_flakey_error_writes_read_data", "same", memcmp(b, cur, len) ? "differs" : "same");
	fill(nw, len, 13);
	r = pwrite(fd, nw, len, 0); e = errno;
	report("dm_flakey_error_writes_write", "-EIO", outcome(r, e));
	report("dm_flakey_error_writes_aio", "-EIO", aio_outcome(aio_rw(fd, 1, nw, len, 0, 0, NULL)));
	dm_linear();
	pread(fd, cur, len, 0);

	/* flakey, down, drop_writes: the device claims success and keeps old data. */
	snprintf(tgt, sizeof(tgt), "flakey /dev/%s %ld 0 1 1 drop_writes", bdev, sec);
	dm_remap(sec, 8, tgt);
	fill(nw, len, 14);
	r = pwrite(fd, nw, len, 0); e = errno;
	report("dm_flakey_drop_writes_write", "1048576", outcome(r, e));
	dm_linear();
	r = pread(fd, b, len, 0);
	snprintf(n, sizeof(n), "%ld", r == (long)len ? kept_bytes(b, cur, nw, len) : -1);
	report("dm_flakey_drop_writes_kept", "4096", n);

	/* flakey, down, no features: every I/O to the piece fails. */
	snprintf(tgt, sizeof(tgt), "flakey /dev/%s %ld 0 1", bdev, sec);
	dm_remap(sec, 8, tgt);
	r = pread(fd, b, len, 0); e = errno;
	report("dm_flakey_down_read", "-EIO", outcome(r, e));
	report("dm_flakey_down_aio_write", "-EIO", aio_outcome(aio_rw(fd, 1, nw, len, 0, 0, NULL)));
	dm_linear();
	report("dm_flakey_pins_released", "none", pinned(b, len));
	close(fd);
	munmap(b, len);
	munmap(old, len);
	munmap(nw, len);
	munmap(cur, len);
}

/* F38 F41: a 72 MiB request (hundreds of bios) with dm-error in its middle. */
static void dm_multibio(void)
{
	size_t len = 72 * MIB;
	char *b;
	long sec, r;
	int fd, e;

	sec = make_file("dmbig", len, 16) ? -1 : file_sector("dmbig", len / 2);
	if (sec < 0) {
		report("dm_multibio_setup", "ok", "setup-failed");
		return;
	}
	b = abuf(len);
	fill(b, len, 17);
	fd = open(path("dmbig"), O_RDWR | O_DIRECT);
	dm_remap(sec, 8, "error");
	r = pread(fd, b, len, 0); e = errno;
	report("dm_multibio_read", "-EIO", outcome(r, e));
	report("dm_multibio_write_aio", "-EIO", aio_outcome(aio_rw(fd, 1, b, len, 0, 0, NULL)));
	dm_linear();
	report("dm_multibio_pins_released", "none", pinned(b, len));
	r = pread(fd, b, len, 0); e = errno;
	report("dm_multibio_after", "75497472", outcome(r, e));
	close(fd);
	munmap(b, len);
	unlink(path("dmbig"));
}

/*
 * F52: an AIO write completes while a page of its range has been dirtied
 * through mmap; the deferred completion cannot invalidate it, so the write
 * still succeeds and the next fsync reports -EIO, once. dm-delay holds the
 * write for a second so the page is dirtied while the write is in flight.
 */
static void stale_pagecache(void)
{
	size_t len = 64 * 1024;
	char *nw = abuf(PG), *map = MAP_FAILED, tgt[200];
	aio_context_t ctx = 0;
	struct io_event ev;
	struct iocb cb;
	int fd = -1, bfd = -1, e;
	long sec, r;

	sec = make_file("stale", len, 18) ? -1 : file_sector("stale", 0);
	if (sec < 0) {
		report("stale_pagecache_setup", "ok", "setup-failed");
		goto out;
	}
	fd = open(path("stale"), O_RDWR | O_DIRECT);
	bfd = open(path("stale"), O_RDWR);
	if (bfd >= 0)
		map = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	if (fd < 0 || map == MAP_FAILED || io_setup_(4, &ctx)) {
		report("stale_pagecache_setup", "ok", "setup-failed");
		goto out;
	}
	fill(nw, PG, 19);
	snprintf(tgt, sizeof(tgt), "delay /dev/%s %ld 0 /dev/%s %ld 1000", bdev, sec, bdev, sec);
	if (dm_remap(sec, 8, tgt)) {
		report("stale_pagecache_setup", "ok", "dmsetup-failed");
		goto out;
	}
	r = io_submit_one(ctx, &cb, fd, 1, nw, PG, 0, 0);
	/* The pin on the in-flight buffer shows: the pin checks can fail. */
	report("stale_pagecache_pinned_in_flight", "page-0", pinned(nw, PG));
	map[0] ^= 0x5a;
	if (r == 1 && syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL) == 1)
		r = (long)ev.res;
	else
		r = -2000 - errno;
	report("stale_pagecache_aio_write", "4096", aio_outcome(r));
	report("stale_pagecache_pins_released", "none", pinned(nw, PG));
	dm_linear();
	r = fsync(fd); e = errno;
	report("stale_pagecache_fsync", "-EIO", outcome(r, e));
	r = fsync(fd); e = errno;
	report("stale_pagecache_fsync_again", "0", outcome(r, e));
out:
	if (ctx)
		io_destroy_(ctx);
	if (map != MAP_FAILED)
		munmap(map, PG);
	if (bfd >= 0)
		close(bfd);
	if (fd >= 0)
		close(fd);
	munmap(nw, PG);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * F16: a truncate waits for the AIO write in flight on its inode
 * (inode_dio_wait).  dm-delay holds the write's bios for a second, so an
 * ftruncate that returns sooner did not wait; the write still completes in
 * full and the truncated size holds afterwards.
 */
static void truncate_vs_aio(void)
{
	size_t len = 64 * 1024;
	char *nw = abuf(len), tgt[200];
	aio_context_t ctx = 0;
	struct io_event ev;
	struct iocb cb;
	struct stat st;
	double t0, t1;
	int fd = -1;
	long sec, r;

	sec = make_file("trunc", 2 * len, 22) ? -1 : file_sector("trunc", 0);
	if (sec >= 0)
		fd = open(path("trunc"), O_RDWR | O_DIRECT);
	if (fd < 0 || io_setup_(4, &ctx)) {
		report("truncate_vs_aio_setup", "ok", "setup-failed");
		goto out;
	}
	fill(nw, len, 23);
	snprintf(tgt, sizeof(tgt), "delay /dev/%s %ld 0 /dev/%s %ld 1000", bdev, sec, bdev, sec);
	if (dm_remap(sec, 8, tgt)) {
		report("truncate_vs_aio_setup", "ok", "dmsetup-failed");
		goto out;
	}
	t0 = now();
	r = io_submit_one(ctx, &cb, fd, 1, nw, len, 0, 0);
	ftruncate(fd, (off_t)len / 2);
	t1 = now();
	report("truncate_vs_aio_waits", "waited", t1 - t0 >= 0.8 ? "waited" : "returned-early");
	if (r == 1 && syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL) == 1)
		r = (long)ev.res;
	else
		r = -2000 - errno;
	report("truncate_vs_aio_result", "65536", aio_outcome(r));
	report("truncate_vs_aio_size", "32768",
	       fstat(fd, &st) ? "fstat-failed" : outcome((long)st.st_size, 0));
	dm_linear();
out:
	if (ctx)
		io_destroy_(ctx);
	if (fd >= 0)
		close(fd);
	munmap(nw, len);
}

/*
 * F13: an AIO write that extends the file is waited for before io_submit()
 * returns, like a sync write, so that i_size never covers blocks whose data
 * is not on disk yet; an AIO overwrite inside i_size returns at once and
 * completes later.  dm-delay holds every write for a second, so the two are
 * told apart by whether the completion is already there when io_submit()
 * returns.  This needs a filesystem whose extending writes reach the engine
 * (jfs; vfat and msdos write them through the page cache).
 */
static void extend_aio_one(aio_context_t ctx, int fd, const char *tag, char *buf,
			   size_t len, off_t pos, const char *when, const char *ready)
{
	struct timespec zero = { 0, 0 };
	struct io_event ev;
	struct iocb cb;
	char name[64];
	double t0, t1;
	long r, n;

	t0 = now();
	r = io_submit_one(ctx, &cb, fd, 1, buf, len, pos, 0);
	t1 = now();
	snprintf(name, sizeof(name), "extend_aio_%s_submit", tag);
	report(name, when, r != 1 ? "submit-failed" : t1 - t0 >= 0.8 ? "waited" : "returned");
	n = r == 1 ? syscall(SYS_io_getevents, ctx, 0, 1, &ev, &zero) : -1;
	snprintf(name, sizeof(name), "extend_aio_%s_completion", tag);
	report(name, ready, n == 1 ? "ready" : n == 0 ? "pending" : "getevents-failed");
	if (n == 0)
		n = syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL);
	snprintf(name, sizeof(name), "extend_aio_%s_result", tag);
	report(name, outcome((long)len, 0), aio_outcome(n == 1 ? (long)ev.res : -2000 - errno));
}

static void extend_aio(void)
{
	size_t len = 64 * 1024;
	char *a = abuf(2 * len), *b = a + len, *got = abuf(2 * len), tgt[200];
	aio_context_t ctx = 0;
	struct stat st;
	int fd = -1, bfd = -1;

	if (!make_file("ext", len, 24))
		fd = open(path("ext"), O_RDWR | O_DIRECT);
	if (fd < 0 || io_setup_(4, &ctx)) {
		report("extend_aio_setup", "ok", "setup-failed");
		goto out;
	}
	fill(a, len, 25);
	fill(b, len, 26);
	snprintf(tgt, sizeof(tgt), "delay /dev/%s 0 0 /dev/%s 0 1000", bdev, bdev);
	if (dm_remap(0, dev_sectors, tgt)) {
		report("extend_aio_setup", "ok", "dmsetup-failed");
		goto out;
	}
	extend_aio_one(ctx, fd, "overwrite", a, len, 0, "returned", "pending");
	extend_aio_one(ctx, fd, "extending", b, len, (off_t)len, "waited", "ready");
	report("extend_aio_size", outcome(2 * (long)len, 0),
	       fstat(fd, &st) ? "fstat-failed" : outcome((long)st.st_size, 0));
	report("extend_aio_pins_released", "none", pinned(a, 2 * len));
	dm_linear();
	/* The data as the page cache sees it after both writes. */
	if (!write_str("/proc/sys/vm/drop_caches", "3"))
		bfd = open(path("ext"), O_RDONLY);
	if (bfd < 0 || pread(bfd, got, 2 * len, 0) != (ssize_t)(2 * len))
		report("extend_aio_data", "same", "read-failed");
	else
		report("extend_aio_data", "same",
		       memcmp(got, a, len) || memcmp(got + len, b, len) ? "differs" : "same");
out:
	dm_linear();
	if (ctx)
		io_destroy_(ctx);
	if (fd >= 0)
		close(fd);
	if (bfd >= 0)
		close(bfd);
	munmap(a, 2 * len);
	munmap(got, 2 * len);
}

/* dmsetup <verb> --nolockfs <dm_name>: the filesystem on it is not frozen. */
static int dm_verb(const char *verb)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "dmsetup --noudevsync %s %s %s", verb,
		 strcmp(verb, "suspend") ? "" : "--nolockfs", dm_name);
	return system(cmd) ? -1 : 0;
}

/*
 * F14: RWF_NOWAIT reaches the engine on ocfs2 (the only caller that sets
 * FMODE_NOWAIT) once no page of the file is cached, and the engine must
 * then queue the bios of a write with REQ_NOWAIT.  The filesystem sits on
 * a dm device that is suspended meanwhile: dm fails a REQ_NOWAIT bio at once with
 * BLK_STS_AGAIN and holds any other bio until it is resumed, which a child
 * does after two seconds, so a bio queued without REQ_NOWAIT waits and then
 * succeeds instead of failing with -EAGAIN.
 */
static void nowait(void)
{
	size_t len = 64 * 1024;
	char *b = abuf(len), *want = abuf(len);
	struct iovec iov = { b, len };
	int fd = -1, e, sub = 0;
	pid_t child = -1;
	long r;

	fill(want, len, 21);
	if (!make_file("nw", len, 21) && !write_str("/proc/sys/vm/drop_caches", "3"))
		fd = open(path("nw"), O_RDWR | O_DIRECT);
	if (fd < 0 || dm_verb("suspend")) {
		report("nowait_setup", "ok", "setup-failed");
		goto out;
	}
	child = fork();
	if (child == 0) {
		sleep(2);
		_exit(dm_verb("resume") ? 1 : 0);
	}
	r = pwritev2(fd, &iov, 1, 0, RWF_NOWAIT); e = errno;
	report("nowait_write_sync", "-EAGAIN", outcome(r, e));
	r = aio_rw(fd, 1, b, len, 0, RWF_NOWAIT, &sub);
	report("nowait_write_aio", "-EAGAIN", r <= -2000 && r > -3000 ?
	       tagged("submit", outcome(-1, (int)(-2000 - r))) : aio_outcome(r));
	/*
	 * The engine sets REQ_NOWAIT on writes only, so RWF_NOWAIT reads wait
	 * for the resume and then succeed.
	 */
	r = preadv2(fd, &iov, 1, 0, RWF_NOWAIT); e = errno;
	report("nowait_read_sync", "65536", outcome(r, e));
	r = aio_rw(fd, 0, b, len, 0, RWF_NOWAIT, &sub);
	report("nowait_read_aio", "65536", aio_outcome(r));
	report("nowait_pins_released", "none", pinned(b, len));
	r = pread(fd, b, len, 0); e = errno;
	report("nowait_then_read", "65536", outcome(r, e));
	report("nowait_then_read_data", "same", memcmp(b, want, len) ? "differs" : "same");
out:
	if (child > 0)
		waitpid(child, NULL, 0);
	else
		dm_verb("resume");
	if (fd >= 0)
		close(fd);
	munmap(b, len);
	munmap(want, len);
}

/*
 * TAP plans: the number of report() calls of a full run of main() and
 * dm_main().  A group whose set-up fails reports less, so the count shows it.
 */
#define PLAN_NULLB 32
#define PLAN_DM 31
#define PLAN_NOWAIT 7
#define PLAN_EXTEND 9

static int read_dev_sectors(void)
{
	char f[128];
	FILE *sz;
	int ok;

	snprintf(f, sizeof(f), "/sys/block/%s/size", bdev);
	sz = fopen(f, "r");
	ok = sz && fscanf(sz, "%ld", &dev_sectors) == 1;
	if (sz)
		fclose(sz);
	if (!ok)
		report("dm_setup", "ok", "no-device-size");
	return ok ? 0 : -1;
}

static int dm_main(void)
{
	if (read_dev_sectors())
		return 1;
	printf("1..%d\n", PLAN_DM);
	dm_errors();
	dm_multibio();
	stale_pagecache();
	truncate_vs_aio();
	printf("# faults:%s (dm): %d cases, %d failed\n", fsname, ntest, nfail);
	return nfail ? 1 : 0;
}

int main(int argc, char **argv)
{
	int nowait_mode = argc > 1 && !strcmp(argv[1], "--nowait");
	int extend_mode = argc > 1 && !strcmp(argv[1], "--extend");

	if (nowait_mode || extend_mode) {
		argv++;
		argc--;
	}
	if (argc > 2 && !strcmp(argv[1], "--dm")) {
		dm_name = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 5) {
		fprintf(stderr, "usage: %s [--nowait | --extend] [--dm <dm-name>] <dir> <nullb-configfs-dir> <bdev> <fs>\n",
			argv[0]);
		return 2;
	}
	dir = argv[1];
	nullb = argv[2];
	bdev = argv[3];
	fsname = argv[4];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (nowait_mode) {
		printf("1..%d\n", PLAN_NOWAIT);
		nowait();
		printf("# faults:%s (nowait): %d cases, %d failed\n", fsname, ntest, nfail);
		return nfail ? 1 : 0;
	}
	if (extend_mode) {
		if (!dm_name || read_dev_sectors())
			return 2;
		printf("1..%d\n", PLAN_EXTEND);
		extend_aio();
		printf("# faults:%s (extend): %d cases, %d failed\n", fsname, ntest, nfail);
		return nfail ? 1 : 0;
	}
	if (dm_name)
		return dm_main();
	printf("1..%d\n", PLAN_NULLB);
	device_errors();
	reap_early_stop();
	fail_make_request();
	failslab();
	prot_none();
	many_iovecs();
	printf("# faults:%s: %d cases, %d failed\n", fsname, ntest, nfail);
	return nfail ? 1 : 0;
}
