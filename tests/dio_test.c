// SPDX-License-Identifier: GPL-2.0
/*
 * dio_test: direct-I/O contract cases for one mounted filesystem.
 *
 * Usage: dio_test <dir> <fsname> <logical-block-size> [nowait]
 *
 * Prints TAP ("ok N - name", "not ok N - name", "ok N - name # SKIP why")
 * and exits non-zero if any case failed.  Contract rows (Fnn) refer to
 * the design contract of fs/direct-io.c in Linux 6.12.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <liburing.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dio_common.h"


static const char *dir, *fsname;
static size_t lbs;
static int readonly_fs;
static int ntest, nfail;
static char failmsg[2048];

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			snprintf(failmsg, sizeof(failmsg), __VA_ARGS__);       \
			return -1;                                             \
		}                                                              \
	} while (0)

/* A case returns 0 (pass), -1 (fail, failmsg set) or 1 (skip, failmsg = why). */
#define SKIP(...)                                                              \
	do {                                                                   \
		snprintf(failmsg, sizeof(failmsg), __VA_ARGS__);               \
		return 1;                                                      \
	} while (0)

static void run(const char *name, int (*fn)(void))
{
	int r;

	failmsg[0] = 0;
	r = fn();
	ntest++;
	if (r == 0) {
		printf("ok %d - %s:%s\n", ntest, fsname, name);
	} else if (r > 0) {
		printf("ok %d - %s:%s # SKIP %s\n", ntest, fsname, name, failmsg);
	} else {
		nfail++;
		printf("not ok %d - %s:%s\n# %s (errno %d %s)\n", ntest, fsname,
		       name, failmsg, errno, strerror(errno));
	}
	fflush(stdout);
}

static char *path(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) & 3;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void *abuf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

/* Offset of the first byte that differs, or -1 if equal. */
static long diff(const void *a, const void *b, size_t len)
{
	const unsigned char *x = a, *y = b;
	size_t i;

	for (i = 0; i < len; i++)
		if (x[i] != y[i])
			return (long)i;
	return -1;
}

static int is_zero(const void *a, size_t len)
{
	const unsigned char *x = a;
	size_t i;

	for (i = 0; i < len; i++)
		if (x[i])
			return 0;
	return 1;
}

/* Create name with len bytes of pattern seed, written buffered and synced. */
static int make_file(const char *name, size_t len, unsigned int seed)
{
	void *buf = abuf(len ? len : 1);
	int fd = open(path(name), O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	fill(buf, len, seed);
	if (pwrite(fd, buf, len, 0) != (ssize_t)len || fsync(fd)) {
		close(fd);
		return -1;
	}
	close(fd);
	munmap(buf, len ? len : 1);
	return 0;
}

static int drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	int r;

	sync();
	if (fd < 0)
		return -1;
	r = write(fd, "3", 1) == 1 ? 0 : -1;
	close(fd);
	return r;
}

/* Read a whole file back through the page cache after dropping it. */
static int read_buffered(const char *name, void *buf, size_t len)
{
	int fd;
	ssize_t r;

	if (drop_caches())
		return -1;
	fd = open(path(name), O_RDONLY);
	if (fd < 0)
		return -1;
	r = pread(fd, buf, len, 0);
	close(fd);
	return r == (ssize_t)len ? 0 : -1;
}

/*
 * 0 if filesystem block blk of fd is a hole, 1 if it is mapped, -1 if
 * neither FIBMAP nor SEEK_DATA can tell.  FIBMAP first: some filesystems
 * (jfs) report every offset as data to SEEK_DATA.
 */
static int hole_at(int fd, int blk)
{
	int b = blk, bs = 0;
	off_t data;

	if (!ioctl(fd, FIBMAP, &b))
		return b != 0;
	if (ioctl(fd, FIGETBSZ, &bs))
		return -1;
	data = lseek(fd, (off_t)blk * bs, SEEK_DATA);
	if (data < 0)
		return errno == ENXIO ? 0 : -1;
	return data < (off_t)(blk + 1) * bs;
}

/* Whether s is one of the strings of the array list. */
#define IN_LIST(s, list) in_list(s, list, sizeof(list) / sizeof(list[0]))
static int in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

/* ---- cases ---- */

/* F11 F24 F26 F27 F32-F37: aligned overwrite, read back direct and buffered. */
static int t_aligned_overwrite(void)
{
	size_t len = 256 * 1024;
	char *w = abuf(len), *r = abuf(len), *b = abuf(len);
	int fd;

	CHECK(!make_file("ovw", len, 1), "setup");
	fd = open(path("ovw"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open O_DIRECT");
	fill(w, len, 2);
	CHECK(pwrite(fd, w, len, 0) == (ssize_t)len, "direct write");
	memset(r, 0xaa, len);
	CHECK(pread(fd, r, len, 0) == (ssize_t)len, "direct read");
	CHECK(diff(w, r, len) < 0, "direct read-back differs at %ld", diff(w, r, len));
	close(fd);
	CHECK(!read_buffered("ovw", b, len), "buffered read");
	CHECK(diff(w, b, len) < 0, "buffered read-back differs at %ld", diff(w, b, len));
	return 0;
}

/* F11 blkfactor>0: I/O aligned to the logical block but not the fs block. */
static int t_lbs_aligned_io(void)
{
	size_t len = 64 * 1024, off = lbs, n = 3 * lbs;
	char *w = abuf(len), *r = abuf(len), *exp = abuf(len);
	int fd;

	CHECK(!make_file("lbsio", len, 3), "setup");
	fill(exp, len, 3);
	fd = open(path("lbsio"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	fill(w, n, 4);
	CHECK(pwrite(fd, w, n, off) == (ssize_t)n, "write %zu@%zu", n, off);
	memcpy(exp + off, w, n);
	CHECK(pread(fd, r, len, 0) == (ssize_t)len, "read");
	CHECK(diff(exp, r, len) < 0, "differs at %ld", diff(exp, r, len));
	memset(r, 0, len);
	CHECK(pread(fd, r + lbs, n, off) == (ssize_t)n, "sub-block read");
	CHECK(diff(exp + off, r + lbs, n) < 0, "sub-block read differs");
	close(fd);
	return 0;
}

/* F12: a direct read first writes back dirty page cache over its range. */
static int t_flush_before_read(void)
{
	size_t len = 64 * 1024;
	char *w = abuf(len), *r = abuf(len);
	int bfd, dfd;

	CHECK(!make_file("flush", len, 40), "setup");
	bfd = open(path("flush"), O_RDWR);
	CHECK(bfd >= 0, "open buffered");
	fill(w, len, 41);
	CHECK(pwrite(bfd, w, len, 0) == (ssize_t)len, "buffered write");
	dfd = open(path("flush"), O_RDONLY | O_DIRECT);
	CHECK(dfd >= 0, "open direct");
	CHECK(pread(dfd, r, len, 0) == (ssize_t)len, "direct read");
	CHECK(diff(w, r, len) < 0, "direct read missed dirty data at %ld", diff(w, r, len));
	close(bfd);
	close(dfd);
	return 0;
}

/* F11: misaligned offset, length and memory give EINVAL. */
static int t_misaligned_einval(void)
{
	size_t len = 64 * 1024;
	char *b = abuf(len + PG);
	int fd;

	CHECK(!make_file("mis", len, 5), "setup");
	fd = open(path("mis"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	errno = 0;
	CHECK(pread(fd, b, lbs, 1) == -1 && errno == EINVAL, "read offset 1");
	errno = 0;
	CHECK(pread(fd, b, lbs + 1, 0) == -1 && errno == EINVAL, "read len+1");
	errno = 0;
	CHECK(pread(fd, b + 1, lbs, 0) == -1 && errno == EINVAL, "read buf+1");
	if (!readonly_fs) {
		errno = 0;
		CHECK(pwrite(fd, b, lbs, 1) == -1 && errno == EINVAL, "write offset 1");
		errno = 0;
		CHECK(pwrite(fd, b + 1, lbs, 0) == -1 && errno == EINVAL, "write buf+1");
	}
	close(fd);
	return 0;
}

/* F07: zero-length read and write return 0. */
static int t_zero_length(void)
{
	char *b = abuf(PG);
	int fd;

	CHECK(!make_file("zero", 8192, 6), "setup");
	fd = open(path("zero"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	CHECK(pread(fd, b, 0, 0) == 0, "zero read");
	CHECK(pwrite(fd, b, 0, 0) == 0, "zero write");
	CHECK(pread(fd, b, 0, 1) == 0, "zero read misaligned");
	close(fd);
	return 0;
}

/* F10 F49: reads at, across and past EOF. */
static int t_read_eof(void)
{
	size_t size = 10000, len = 16384;
	char *r = abuf(len + PG), *exp = abuf(len);
	long res;
	int fd;

	CHECK(!make_file("eof", size, 7), "setup");
	fill(exp, size, 7);
	fd = open(path("eof"), O_RDONLY | O_DIRECT);
	CHECK(fd >= 0, "open");
	CHECK(pread(fd, r, len, 0) == (ssize_t)size, "read across EOF");
	CHECK(diff(exp, r, size) < 0, "data before EOF differs");
	CHECK(pread(fd, r, PG, 8192) == (ssize_t)(size - 8192), "tail read");
	/*
	 * A short synchronous read is topped up by buffered reads in the VFS;
	 * an AIO read's count comes from the engine alone.
	 */
	memset(r, 0, len);
	res = aio_rw(fd, 0, r, len, 0, 0, NULL);
	CHECK(res == (long)size, "aio read across EOF returned %ld, want %zu", res, size);
	CHECK(diff(exp, r, size) < 0, "aio data before EOF differs");
	res = aio_rw(fd, 0, r, PG, 8192, 0, NULL);
	CHECK(res == (long)(size - 8192), "aio tail read returned %ld", res);
	CHECK(pread(fd, r, PG, 16384) == 0, "read past EOF");
	CHECK(pread(fd, r, PG, 10240) == 0, "read at block past EOF");
	/* 6.12: the EOF check precedes the alignment check. */
	CHECK(pread(fd, r + 1, 7, 20001) == 0, "misaligned read past EOF");
	close(fd);
	return 0;
}

/* F28 F29: holes read as zeros; direct writes into holes fall back to buffered. */
static int t_holes(void)
{
	size_t size = MIB, blk = 64 * 1024;
	char *r = abuf(size), *w = abuf(blk), *exp = abuf(size);
	int fd, hole;

	fd = open(path("holes"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0, "create");
	CHECK(ftruncate(fd, size) == 0, "ftruncate");
	fill(w, blk, 8);
	CHECK(pwrite(fd, w, blk, 512 * 1024) == (ssize_t)blk, "buffered write");
	CHECK(fsync(fd) == 0, "fsync");
	/* Block 0 stays a hole where the filesystem has holes at all. */
	hole = hole_at(fd, 0) == 0;
	close(fd);
	memcpy(exp + 512 * 1024, w, blk);
	fd = open(path("holes"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	memset(r, 0xee, size);
	CHECK(pread(fd, r, size, 0) == (ssize_t)size, "direct read");
	CHECK(diff(exp, r, size) < 0, "read differs at %ld", diff(exp, r, size));
	fill(w, blk, 9);
	CHECK(pwrite(fd, w, blk, 128 * 1024) == (ssize_t)blk, "direct write into hole");
	memcpy(exp + 128 * 1024, w, blk);
	close(fd);
	CHECK(!read_buffered("holes", r, size), "buffered read");
	CHECK(diff(exp, r, size) < 0, "after hole write differs at %ld", diff(exp, r, size));
	if (!hole)
		SKIP("data checked, but no hole: the filesystem allocates and zeroes blocks when the size grows");
	return 0;
}


/*
 * F31: a direct write of one logical block into a newly allocated
 * filesystem block (blocksize > logical block size) zeroes the rest of that
 * block.  The images are filled with a non-zero pattern before mkfs, so a
 * block that was not zeroed shows old disk content.  Two requests: one into
 * a hole inside i_size, one extending the file past a gap.  Both are read
 * back whole, direct and through the page cache after drop_caches.
 */
static int t_subblock_zeroing(void)
{
	size_t bs, len;
	char *w = abuf(PG), *r, *exp;
	off_t hole_off, ext_off;
	int fd, bsz = 0, i, data;

	fd = open(path("subblk"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0, "create");
	CHECK(ioctl(fd, FIGETBSZ, &bsz) == 0, "FIGETBSZ");
	bs = (size_t)bsz;
	if (bs <= lbs) {
		close(fd);
		SKIP("filesystem block %zu = logical block %zu: no block is partly written", bs, lbs);
	}
	len = 4 * bs;
	CHECK(ftruncate(fd, (off_t)len) == 0, "ftruncate");
	data = hole_at(fd, 1);
	close(fd);
	if (data)
		SKIP("ftruncate leaves no hole (%s): blocks are zeroed when the size grows",
		     data < 0 ? "FIBMAP and SEEK_DATA unsupported" : "block 1 is mapped");
	r = abuf(len + 2 * bs);
	exp = abuf(len + 2 * bs);
	fill(w, lbs, 40);
	fd = open(path("subblk"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	hole_off = (off_t)(bs + lbs);
	CHECK(pwrite(fd, w, lbs, hole_off) == (ssize_t)lbs, "write into hole");
	memcpy(exp + hole_off, w, lbs);
	/* Past EOF, leaving block 4 a hole: block 5 is new and partly written. */
	ext_off = (off_t)(len + bs + 2 * lbs);
	CHECK(pwrite(fd, w, lbs, ext_off) == (ssize_t)lbs, "extending write");
	memcpy(exp + ext_off, w, lbs);
	len = (size_t)ext_off + lbs;
	for (i = 0; i < 2; i++) {
		memset(r, 0xee, len);
		if (i == 0)
			CHECK(pread(fd, r, len, 0) == (ssize_t)len, "direct read");
		else
			CHECK(!read_buffered("subblk", r, len), "buffered read");
		CHECK(diff(exp, r, len) < 0, "%s read differs at %ld (block %ld): %.8s",
		      i ? "buffered" : "direct", diff(exp, r, len), diff(exp, r, len) / (long)bs,
		      r + diff(exp, r, len));
	}
	close(fd);
	return 0;
}

/* F13 F31: extending writes, sync and AIO, leave zeros in the gap. */
static int t_extend(void)
{
	size_t len = 8192, gap_off = 3 * lbs + 65536;
	char *w = abuf(len), *r = abuf(gap_off + 2 * len), *exp = abuf(gap_off + 2 * len);
	struct stat st;
	long res;
	int fd;

	CHECK(!make_file("ext", 65536, 10), "setup");
	fill(exp, 65536, 10);
	fd = open(path("ext"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	fill(w, len, 11);
	CHECK(pwrite(fd, w, len, 65536) == (ssize_t)len, "sync extend");
	memcpy(exp + 65536, w, len);
	fill(w, len, 12);
	res = aio_rw(fd, 1, w, len, gap_off + len, 0, NULL);
	if (!strncmp(fsname, "hfs-", 4)) {
		/* hfs_get_block() refuses to allocate past the next block (F50). */
		CHECK(res == -EIO, "hfs gap extend returned %ld, want -EIO", res);
		close(fd);
		return 0;
	}
	CHECK(res == (long)len, "aio extend returned %ld", res);
	memcpy(exp + gap_off + len, w, len);
	CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)(gap_off + 2 * len),
	      "size %lld", (long long)st.st_size);
	close(fd);
	CHECK(!read_buffered("ext", r, gap_off + 2 * len), "read back");
	CHECK(diff(exp, r, gap_off + 2 * len) < 0, "differs at %ld",
	      diff(exp, r, gap_off + 2 * len));
	return 0;
}

static int trace_bio_queue(int on);
static long traced_flushes(void);

/* Whether the device under dir has a volatile write cache, so that flushes reach it. */
static int write_back_cache(void)
{
	char p[96], mode[32] = "";
	struct stat st;
	FILE *f;

	if (stat(dir, &st))
		return 0;
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/queue/write_cache", major(st.st_dev),
		 minor(st.st_dev));
	f = fopen(p, "r");
	if (!f)
		return 0;
	if (!fgets(mode, sizeof(mode), f))
		mode[0] = 0;
	fclose(f);
	return !strncmp(mode, "write back", 10);
}

/*
 * F44 F46 F52 F54 F06 F15: AIO overwrite with cached pages, plain and
 * O_DSYNC.  With O_DSYNC the completion (deferred to the dio workqueue)
 * syncs the range, which on these filesystems queues a cache flush
 * (REQ_PREFLUSH or REQ_FUA) that the block tracepoint shows.
 */
static int aio_overwrite(int oflags)
{
	size_t len = 128 * 1024;
	char *w = abuf(len), *b = abuf(len);
	long res;
	int fd, bfd, i, want_flush;

	CHECK(!make_file("aio", len, 13), "setup");
	bfd = open(path("aio"), O_RDONLY);
	CHECK(bfd >= 0 && pread(bfd, b, len, 0) == (ssize_t)len, "cache pages");
	fd = open(path("aio"), O_RDWR | O_DIRECT | oflags);
	CHECK(fd >= 0, "open");
	/*
	 * The block layer drops flushes for a device without a write-back
	 * cache (brd, null_blk).  jfs's log writes carry no flush, hfs only
	 * writes the inode back and ocfs2 mounts without barriers, so their
	 * fsync queues none either (the same on the C engine).
	 */
	want_flush = write_back_cache() && strncmp(fsname, "jfs-", 4) &&
		     strncmp(fsname, "hfs-", 4) && strncmp(fsname, "ocfs2-", 6);
	for (i = 0; i < 4; i++) {
		long flushes = 0;

		fill(w, len, 14 + i);
		if (oflags & O_DSYNC)
			CHECK(!trace_bio_queue(1), "enable trace");
		res = aio_rw(fd, 1, w, len, 0, 0, NULL);
		if (oflags & O_DSYNC) {
			trace_bio_queue(0);
			flushes = traced_flushes();
		}
		CHECK(res == (long)len, "aio write %d returned %ld", i, res);
		CHECK(!(oflags & O_DSYNC) || (flushes > 0) == want_flush,
		      "O_DSYNC aio write %d queued %ld cache flushes, want %s", i, flushes,
		      want_flush ? "some" : "none");
		CHECK(pread(bfd, b, len, 0) == (ssize_t)len, "buffered read");
		CHECK(diff(w, b, len) < 0, "buffered reader sees stale data at %ld",
		      diff(w, b, len));
		memset(b, 0, len);
		res = aio_rw(fd, 0, b, len, 0, 0, NULL);
		CHECK(res == (long)len, "aio read %d returned %ld", i, res);
		CHECK(diff(w, b, len) < 0, "aio read differs");
	}
	close(fd);
	close(bfd);
	return 0;
}

static int t_aio_overwrite(void)
{
	return aio_overwrite(0);
}

static int t_aio_overwrite_dsync(void)
{
	return aio_overwrite(O_DSYNC);
}

/* F06: a WQ_MEM_RECLAIM "dio/<dev>" workqueue exists after async writes. */
static int t_dio_workqueue(void)
{
	char comm[64], p[64];
	int pid, found = 0;

	for (pid = 1; pid < 4096 && !found; pid++) {
		FILE *f;

		snprintf(p, sizeof(p), "/proc/%d/comm", pid);
		f = fopen(p, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "kworker/R-dio/", 14))
			found = 1;
		fclose(f);
	}
	CHECK(found, "no kworker/R-dio/* rescuer thread");
	return 0;
}

/* F19 F20 F36-F38: vectored I/O over many separate pages (> 64, > 256). */
static int t_vectored_many(void)
{
	enum { N = 300 };
	struct iovec iov[N];
	char *exp = abuf(N * PG), *r = abuf(N * PG);
	int fd, i;

	CHECK(!make_file("vec", N * PG, 20), "setup");
	for (i = 0; i < N; i++) {
		/* Separate mappings so no two pages are virtually adjacent. */
		iov[i].iov_base = abuf(2 * PG);
		iov[i].iov_len = PG;
		fill(iov[i].iov_base, PG, 100 + i);
		memcpy(exp + i * PG, iov[i].iov_base, PG);
	}
	fd = open(path("vec"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	CHECK(pwritev(fd, iov, N, 0) == N * PG, "pwritev");
	for (i = 0; i < N; i++)
		memset(iov[i].iov_base, 0, PG);
	CHECK(preadv(fd, iov, N, 0) == N * PG, "preadv");
	for (i = 0; i < N; i++)
		CHECK(diff(iov[i].iov_base, exp + i * PG, PG) < 0, "segment %d differs", i);
	close(fd);
	CHECK(!read_buffered("vec", r, N * PG), "buffered read");
	CHECK(diff(exp, r, N * PG) < 0, "file differs at %ld", diff(exp, r, N * PG));
	return 0;
}

/* F22 F50: read into a buffer whose middle page is unmapped: short count. */
static int t_efault_read(void)
{
	char *b = abuf(3 * PG), *exp = abuf(3 * PG);
	ssize_t r;
	int fd;

	CHECK(!make_file("efr", 3 * PG, 21), "setup");
	fill(exp, 3 * PG, 21);
	CHECK(munmap(b + PG, PG) == 0, "munmap");
	fd = open(path("efr"), O_RDONLY | O_DIRECT);
	CHECK(fd >= 0, "open");
	r = pread(fd, b, 3 * PG, 0);
	CHECK(r == PG, "returned %zd, want %d", r, PG);
	CHECK(diff(b, exp, PG) < 0, "first page differs");
	errno = 0;
	b = abuf(PG);
	CHECK(munmap(b, PG) == 0, "munmap");
	CHECK(pread(fd, b, PG, 0) == -1 && errno == EFAULT, "all-unmapped read");
	close(fd);
	return 0;
}

/*
 * F21 F50: write from a buffer whose middle page is unmapped.  If the blocks
 * behind the faulting page were already mapped, C writes zeros there and
 * returns EFAULT; otherwise the write is short.
 */
/*
 * F21 F22: whether a direct write whose second page faults fails with
 * -EFAULT (blocks mapped past the fault are zero-filled) or returns the
 * first page (nothing mapped past it).  That depends on how much one
 * get_block call maps on each filesystem and disk, and is the same on the C
 * engine: these fail, the others return a short count.
 */
static int efault_write_fails(void)
{
	static const char *const efault[] = {
		"jfs-512", "jfs-4096", "msdos-4096", "ntfs3-512", "ntfs3-4096",
		"ocfs2-512", "ocfs2-4096", "vfat-4096",
	};
	return IN_LIST(fsname, efault);
}

static int t_efault_write(void)
{
	char *b = abuf(3 * PG), *r = abuf(3 * PG), *old = abuf(3 * PG);
	ssize_t n;
	int fd;

	CHECK(!make_file("efw", 3 * PG, 22), "setup");
	fill(old, 3 * PG, 22);
	fill(b, 3 * PG, 23);
	CHECK(munmap(b + PG, PG) == 0, "munmap");
	fd = open(path("efw"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	errno = 0;
	n = pwrite(fd, b, 3 * PG, 0);
	close(fd);
	CHECK(!read_buffered("efw", r, 3 * PG), "read back");
	CHECK(diff(r, b, PG) < 0, "first page not written");
	CHECK((n == -1) == efault_write_fails(), "returned %zd, want %s", n,
	      efault_write_fails() ? "-EFAULT" : "a short count");
	if (n == -1) {
		CHECK(errno == EFAULT, "errno %d", errno);
		CHECK(is_zero(r + PG, 2 * PG), "mapped blocks after the fault not zeroed");
	} else {
		CHECK(n == PG, "returned %zd", n);
		CHECK(diff(r + PG, old + PG, 2 * PG) < 0, "data after fault changed");
	}
	return 0;
}

/* F42: direct read into a MAP_SHARED mapping of another file dirties it. */
static int t_read_into_shared_map(void)
{
	size_t len = 64 * 1024;
	char *exp = abuf(len), *r = abuf(len), *m;
	int fd, mfd;

	CHECK(!make_file("src", len, 24), "setup src");
	CHECK(!make_file("dst", len, 25), "setup dst");
	fill(exp, len, 24);
	mfd = open(path("dst"), O_RDWR);
	CHECK(mfd >= 0, "open dst");
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	CHECK(m != MAP_FAILED, "mmap dst");
	fd = open(path("src"), O_RDONLY | O_DIRECT);
	CHECK(fd >= 0, "open src");
	CHECK(pread(fd, m, len, 0) == (ssize_t)len, "direct read into mapping");
	CHECK(msync(m, len, MS_SYNC) == 0, "msync");
	munmap(m, len);
	close(mfd);
	close(fd);
	CHECK(!read_buffered("dst", r, len), "read dst");
	CHECK(diff(exp, r, len) < 0, "dst lost the data at %ld", diff(exp, r, len));
	return 0;
}

/* F20: fork() while an async direct read fills a private buffer. */
static int t_fork_during_read(void)
{
	size_t len = MIB;
	char *b = abuf(len), *exp = abuf(len);
	aio_context_t ctx = 0;
	struct iocb cb = { 0 }, *cbs[1] = { &cb };
	struct io_event ev;
	int fd, st, i;
	pid_t pid;

	CHECK(!make_file("fork", len, 26), "setup");
	fill(exp, len, 26);
	fd = open(path("fork"), O_RDONLY | O_DIRECT);
	CHECK(fd >= 0, "open");
	for (i = 0; i < 4; i++) {
		memset(b, 0x5a, len);
		CHECK(io_setup_(1, &ctx) == 0, "io_setup");
		cb.aio_fildes = fd;
		cb.aio_lio_opcode = IOCB_CMD_PREAD;
		cb.aio_buf = (uintptr_t)b;
		cb.aio_nbytes = len;
		CHECK(syscall(SYS_io_submit, ctx, 1, cbs) == 1, "submit");
		pid = fork();
		if (pid == 0) {
			b[0] = 1; /* child touches the buffer: COW */
			_exit(0);
		}
		b[len - 1] = exp[len - 1];
		CHECK(syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL) == 1, "getevents");
		io_destroy_(ctx);
		ctx = 0;
		waitpid(pid, &st, 0);
		CHECK(ev.res == (long)len, "res %lld", (long long)ev.res);
		CHECK(diff(b, exp, len) < 0, "parent buffer differs at %ld", diff(b, exp, len));
	}
	close(fd);
	return 0;
}

/* F33: /proc/self/io counts direct reads and writes. */
/*
 * F33: the zeroes written around a sub-block piece in a new block count as
 * written bytes.  One logical block into a hole of a filesystem block bs
 * accounts bs; the filesystem may add whole metadata pages it dirties while
 * allocating, so the growth is bs plus a multiple of the page size.
 */
static int subblock_accounting(void)
{
	char *w = abuf(PG);
	long w0, w1;
	int fd, bs = 0;

	fd = open(path("acct2"), O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
	CHECK(fd >= 0, "create");
	CHECK(ioctl(fd, FIGETBSZ, &bs) == 0, "FIGETBSZ");
	if ((size_t)bs <= lbs || bs % PG || ftruncate(fd, 2 * bs) || hole_at(fd, 0)) {
		/* No sub-block zeroing here (see subblock_zeroing): nothing to count. */
		close(fd);
		return 0;
	}
	fill(w, lbs, 28);
	w0 = io_field("write_bytes: ");
	CHECK(pwrite(fd, w, lbs, (off_t)lbs) == (ssize_t)lbs, "sub-block write");
	w1 = io_field("write_bytes: ");
	close(fd);
	CHECK(w1 - w0 >= bs && (w1 - w0) % PG == 0,
	      "sub-block write of %zu into a %d-byte block: write_bytes grew by %ld", lbs, bs, w1 - w0);
	return 0;
}

static int t_io_accounting(void)
{
	size_t len = 128 * 1024;
	char *b = abuf(len);
	long r0, w0, r1, w1;
	int fd;

	CHECK(!make_file("acct", len, 27), "setup");
	fd = open(path("acct"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	r0 = io_field("read_bytes: ");
	w0 = io_field("write_bytes: ");
	CHECK(r0 >= 0 && w0 >= 0, "no /proc/self/io");
	CHECK(pread(fd, b, len, 0) == (ssize_t)len, "read");
	CHECK(pwrite(fd, b, len, 0) == (ssize_t)len, "write");
	r1 = io_field("read_bytes: ");
	w1 = io_field("write_bytes: ");
	close(fd);
	CHECK(r1 - r0 == (long)len, "read_bytes grew by %ld", r1 - r0);
	/* Buffered writes (nilfs2) are accounted as the page cache dirties. */
	if (readonly_fs)
		return 0;
	CHECK(w1 - w0 == (long)len, "write_bytes grew by %ld", w1 - w0);
	return subblock_accounting();
}

/* F16: truncate waits for in-flight AIO (inode_dio_wait). */
static int t_truncate_vs_aio(void)
{
	size_t len = 512 * 1024;
	char *w = abuf(len);
	aio_context_t ctx = 0;
	struct iocb cb = { 0 }, *cbs[1] = { &cb };
	struct io_event ev;
	struct stat st;
	int fd;

	CHECK(!make_file("trunc", 2 * len, 28), "setup");
	fill(w, len, 29);
	fd = open(path("trunc"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	CHECK(io_setup_(1, &ctx) == 0, "io_setup");
	cb.aio_fildes = fd;
	cb.aio_lio_opcode = IOCB_CMD_PWRITE;
	cb.aio_buf = (uintptr_t)w;
	cb.aio_nbytes = len;
	CHECK(syscall(SYS_io_submit, ctx, 1, cbs) == 1, "submit");
	CHECK(ftruncate(fd, len / 2) == 0, "truncate");
	CHECK(syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL) == 1, "getevents");
	io_destroy_(ctx);
	CHECK(ev.res == (long)len, "res %lld", (long long)ev.res);
	CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)len / 2, "size %lld",
	      (long long)st.st_size);
	close(fd);
	return 0;
}

/*
 * F16 F53: AIO overwrites racing ftruncate, many times.  Each truncate waits in
 * inode_dio_wait() for the write's inode_dio_end(), whose wake-up must not be
 * lost (on a weakly ordered CPU that needs the full barrier of C's
 * atomic_dec_and_test()); a lost one leaves the truncate asleep for good, which
 * the hung-task detector reports.
 */
static int t_truncate_vs_aio_loop(void)
{
	size_t len = 64 * 1024;
	char *w = abuf(len);
	aio_context_t ctx = 0;
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	int fd, i;

	CHECK(!make_file("trloop", 2 * len, 30), "setup");
	fill(w, len, 31);
	fd = open(path("trloop"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	CHECK(io_setup_(1, &ctx) == 0, "io_setup");
	for (i = 0; i < 200; i++) {
		memset(&cb, 0, sizeof(cb));
		cb.aio_fildes = fd;
		cb.aio_lio_opcode = IOCB_CMD_PWRITE;
		cb.aio_buf = (uintptr_t)w;
		cb.aio_nbytes = len;
		cb.aio_offset = (i % 2) * len;
		CHECK(syscall(SYS_io_submit, ctx, 1, cbs) == 1, "submit %d", i);
		CHECK(ftruncate(fd, 2 * len) == 0, "truncate %d", i);
		CHECK(syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL) == 1, "getevents %d", i);
		CHECK(ev.res == (long)len, "write %d: res %lld", i, (long long)ev.res);
	}
	io_destroy_(ctx);
	close(fd);
	return 0;
}

struct worker {
	int fd, id, fail;
};

static void *rw_worker(void *arg)
{
	struct worker *wk = arg;
	size_t len = 64 * 1024;
	char *w = abuf(len), *r = abuf(len);
	off_t off = (off_t)wk->id * len;
	int i;

	for (i = 0; i < 20 && !wk->fail; i++) {
		fill(w, len, 1000 * wk->id + i);
		if (pwrite(wk->fd, w, len, off) != (ssize_t)len ||
		    pread(wk->fd, r, len, off) != (ssize_t)len || diff(w, r, len) >= 0)
			wk->fail = i + 1;
	}
	munmap(w, len);
	munmap(r, len);
	return NULL;
}

/* F09 F45: concurrent direct readers and writers on disjoint ranges of one file. */
static int t_concurrent(void)
{
	enum { T = 4 };
	size_t len = 64 * 1024;
	pthread_t th[T];
	struct worker wk[T];
	char *w = abuf(len), *r;
	int fd, i;

	CHECK(!make_file("conc", T * 64 * 1024, 30), "setup");
	fd = open(path("conc"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	for (i = 0; i < T; i++) {
		wk[i] = (struct worker){ .fd = fd, .id = i };
		pthread_create(&th[i], NULL, rw_worker, &wk[i]);
	}
	for (i = 0; i < T; i++)
		pthread_join(th[i], NULL);
	close(fd);
	for (i = 0; i < T; i++)
		CHECK(!wk[i].fail, "worker %d failed at iteration %d", i, wk[i].fail);
	/* The disk holds each worker's last write, seen through the page cache. */
	r = abuf(T * len);
	CHECK(!read_buffered("conc", r, T * len), "buffered read");
	for (i = 0; i < T; i++) {
		fill(w, len, 1000 * i + 19);
		CHECK(diff(w, r + i * len, len) < 0, "worker %d's range differs at %ld on disk", i,
		      diff(w, r + i * len, len));
	}
	return 0;
}

/* F13 F20 F46: io_uring with registered (ITER_BVEC, unpinned) buffers. */
static int t_io_uring_fixed(void)
{
	size_t len = 256 * 1024;
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct iovec iov[2];
	char *exp = abuf(len), *disk;
	int fd, r;

	CHECK(!make_file("uring", len, 31), "setup");
	iov[0].iov_base = abuf(len);
	iov[0].iov_len = len;
	iov[1].iov_base = abuf(len);
	iov[1].iov_len = len;
	fill(iov[0].iov_base, len, 32);
	memcpy(exp, iov[0].iov_base, len);
	fd = open(path("uring"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	r = io_uring_queue_init(4, &ring, 0);
	CHECK(r == 0, "queue_init %d", r);
	CHECK(io_uring_register_buffers(&ring, iov, 2) == 0, "register");
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_write_fixed(sqe, fd, iov[0].iov_base, len, 0, 0);
	io_uring_submit(&ring);
	CHECK(io_uring_wait_cqe(&ring, &cqe) == 0, "wait");
	CHECK(cqe->res == (int)len, "write res %d", cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read_fixed(sqe, fd, iov[1].iov_base, len, 0, 1);
	io_uring_submit(&ring);
	CHECK(io_uring_wait_cqe(&ring, &cqe) == 0, "wait");
	CHECK(cqe->res == (int)len, "read res %d", cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	/* Extending write through io_uring completes synchronously (F13). */
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_write_fixed(sqe, fd, iov[0].iov_base, len, len, 0);
	io_uring_submit(&ring);
	CHECK(io_uring_wait_cqe(&ring, &cqe) == 0, "wait");
	CHECK(cqe->res == (int)len, "extend res %d", cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	close(fd);
	CHECK(diff(iov[1].iov_base, exp, len) < 0, "fixed read differs");
	/* Both writes reached the disk: read through the page cache. */
	disk = abuf(2 * len);
	CHECK(!read_buffered("uring", disk, 2 * len), "buffered read");
	CHECK(diff(iov[0].iov_base, disk, len) < 0 && diff(iov[0].iov_base, disk + len, len) < 0,
	      "disk differs from the written data");
	return 0;
}

/* F20 F44: loop device with direct I/O on a file of this filesystem. */
static int t_loop_direct(void)
{
	size_t len = 4 * MIB, n = 256 * 1024;
	char *w = abuf(n), *r = abuf(n);
	char dev[32];
	int ctl, lfd, bfd, nr;

	CHECK(!make_file("loopback", len, 33), "setup");
	ctl = open("/dev/loop-control", O_RDWR);
	CHECK(ctl >= 0, "loop-control");
	nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	CHECK(nr >= 0, "LOOP_CTL_GET_FREE");
	snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
	bfd = open(path("loopback"), O_RDWR | O_DIRECT);
	CHECK(bfd >= 0, "open backing");
	lfd = open(dev, O_RDWR);
	CHECK(lfd >= 0, "open %s", dev);
	CHECK(ioctl(lfd, LOOP_SET_FD, bfd) == 0, "LOOP_SET_FD");
	ioctl(lfd, LOOP_SET_BLOCK_SIZE, lbs > 512 ? lbs : 512);
	if (ioctl(lfd, LOOP_SET_DIRECT_IO, 1) != 0) {
		ioctl(lfd, LOOP_CLR_FD, 0);
		close(lfd);
		close(bfd);
		SKIP("loop refuses direct I/O on this file");
	}
	close(lfd);
	lfd = open(dev, O_RDWR | O_DIRECT);
	CHECK(lfd >= 0, "reopen");
	fill(w, n, 34);
	CHECK(pwrite(lfd, w, n, MIB) == (ssize_t)n, "loop write");
	CHECK(fsync(lfd) == 0, "fsync loop");
	CHECK(pread(lfd, r, n, MIB) == (ssize_t)n, "loop read");
	CHECK(diff(w, r, n) < 0, "loop read differs");
	CHECK(pread(bfd, r, n, MIB) == (ssize_t)n, "backing read");
	CHECK(diff(w, r, n) < 0, "backing file differs");
	ioctl(lfd, LOOP_CLR_FD, 0);
	close(lfd);
	close(bfd);
	return 0;
}

/* F14: RWF_NOWAIT direct writes (ocfs2 is the only caller with FMODE_NOWAIT). */
static int t_nowait(void)
{
	char *w = abuf(PG);
	struct iovec iov = { w, PG };
	ssize_t r;
	int fd;

	CHECK(!make_file("nowait", 64 * 1024, 35), "setup");
	fd = open(path("nowait"), O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	fill(w, PG, 36);
	errno = 0;
	r = pwritev2(fd, &iov, 1, 0, RWF_NOWAIT);
	close(fd);
	if (!strcmp(fsname, "ocfs2") || !strncmp(fsname, "ocfs2-", 6))
		CHECK(r == PG || (r == -1 && errno == EAGAIN), "ocfs2 nowait %zd", r);
	else
		CHECK(r == -1 && errno == EOPNOTSUPP, "nowait %zd", r);
	return 0;
}

/* F20 F43: after sync, AIO and vectored direct I/O no buffer page keeps a pin. */
static int t_pins_released(void)
{
	enum { N = 40 };
	size_t len = 256 * 1024;
	char *b = abuf(len);
	struct iovec iov[N];
	long pg, r;
	int fd, i, bs = 0;

	CHECK(!make_file("pins", len, 30), "setup");
	fill(b, len, 31);
	fd = open(path("pins"), readonly_fs ? O_RDONLY | O_DIRECT : O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	if (!readonly_fs) {
		CHECK(pwrite(fd, b, len, 0) == (ssize_t)len, "write");
		CHECK((pg = first_pinned_page(b, len)) == -1, "page %ld pinned after write", pg);
		r = aio_rw(fd, 1, b, len, 0, 0, NULL);
		CHECK(r == (long)len, "aio write %ld", r);
		CHECK((pg = first_pinned_page(b, len)) == -1, "page %ld pinned after aio write", pg);
	}
	CHECK(pread(fd, b, len, 0) == (ssize_t)len, "read");
	CHECK((pg = first_pinned_page(b, len)) == -1, "page %ld pinned after read", pg);
	r = aio_rw(fd, 0, b, len, 0, 0, NULL);
	CHECK(r == (long)len, "aio read %ld", r);
	CHECK((pg = first_pinned_page(b, len)) == -1, "page %ld pinned after aio read", pg);
	/* A short read at EOF pins the whole buffer but fills one page. */
	CHECK(pread(fd, b, len, len - PG) == PG, "read at eof");
	CHECK((pg = first_pinned_page(b, len)) == -1, "page %ld pinned after eof read", pg);
	for (i = 0; i < N; i++) {
		iov[i].iov_base = abuf(2 * PG);
		iov[i].iov_len = PG;
	}
	CHECK(preadv(fd, iov, N, 0) == N * PG, "preadv");
	for (i = 0; i < N; i++)
		CHECK(first_pinned_page(iov[i].iov_base, PG) == -1, "segment %d pinned after preadv", i);
	/*
	 * A write into a hole inside i_size stops the walk over its first page
	 * with -ENOTBLK (the VFS then writes it buffered): that page's pin must
	 * go too.  Only where ftruncate leaves a hole (jfs, udf, reiserfs, ...).
	 */
	if (!readonly_fs && ftruncate(fd, 2 * len) == 0 && ioctl(fd, FIGETBSZ, &bs) == 0 &&
	    bs > 0 && hole_at(fd, len / bs) == 0) {
		r = pwrite(fd, b, 4 * PG, len + PG);
		CHECK(r == 4 * PG, "write into a hole returned %ld", r);
		CHECK((pg = first_pinned_page(b, 4 * PG)) == -1,
		      "page %ld pinned after a write into a hole", pg);
	}
	close(fd);
	return 0;
}

/*
 * F26 F30 F35 F37: a file whose blocks alternate on disk with another file's,
 * so that each page of the buffer is split over several bios.  Sync, AIO and
 * preadv reads and writes; data checked direct and through the page cache,
 * pins checked.  Needs blocks smaller than a page, allocated at write time
 * (vfat with 512-byte clusters: the vfat-frag run).
 */
static int t_fragmented(void)
{
	enum { NV = 16 };
	size_t len = NV * PG, off;
	char *w = abuf(len), *r = abuf(len), *pad = abuf(PG);
	struct iovec iov[NV];
	int fa, fb, bs = 0, i, splits = 0;
	long res, pg;

	if (readonly_fs)
		SKIP("%s writes never use direct I/O, and the file is laid out by writes", fsname);
	fa = open(path("fragA"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	fb = open(path("fragB"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fa >= 0 && fb >= 0, "create");
	CHECK(ioctl(fa, FIGETBSZ, &bs) == 0 && bs > 0, "FIGETBSZ");
	if (bs >= PG) {
		close(fa);
		close(fb);
		SKIP("%d-byte blocks: a page never spans two extents", bs);
	}
	/* Buffered appends in turn: each block of A is followed by one of B. */
	fill(w, len, 40);
	memset(pad, 0x42, PG);
	for (off = 0; off < len; off += bs) {
		CHECK(pwrite(fa, w + off, bs, off) == bs, "append to fragA at %zu", off);
		CHECK(pwrite(fb, pad, bs, off) == bs, "append to fragB at %zu", off);
	}
	CHECK(fsync(fa) == 0 && fsync(fb) == 0, "fsync");
	for (i = 1; i < (int)(len / bs); i++) {
		int a = i - 1, b = i;

		CHECK(!ioctl(fa, FIBMAP, &a) && !ioctl(fa, FIBMAP, &b), "FIBMAP");
		splits += b != a + 1 && (i * bs) % PG;
	}
	close(fa);
	close(fb);
	if (!splits)
		SKIP("the allocator kept fragA contiguous inside each page");
	fa = open(path("fragA"), O_RDWR | O_DIRECT);
	CHECK(fa >= 0, "open O_DIRECT");

	CHECK(pread(fa, r, len, 0) == (ssize_t)len, "read");
	CHECK(diff(w, r, len) < 0, "read differs at %ld (%d in-page splits)", diff(w, r, len), splits);
	CHECK((pg = first_pinned_page(r, len)) == -1, "page %ld pinned after read", pg);
	memset(r, 0, len);
	res = aio_rw(fa, 0, r, len, 0, 0, NULL);
	CHECK(res == (long)len, "aio read returned %ld", res);
	CHECK(diff(w, r, len) < 0, "aio read differs at %ld", diff(w, r, len));
	CHECK((pg = first_pinned_page(r, len)) == -1, "page %ld pinned after aio read", pg);
	/* Each segment a page at an odd place in memory: pages are walked one by one. */
	for (i = 0; i < NV; i++) {
		iov[i].iov_base = abuf(2 * PG) + PG;
		iov[i].iov_len = PG;
	}
	CHECK(preadv(fa, iov, NV, 0) == (ssize_t)len, "preadv");
	for (i = 0; i < NV; i++) {
		CHECK(!memcmp(iov[i].iov_base, w + i * PG, PG), "preadv segment %d differs", i);
		CHECK(first_pinned_page(iov[i].iov_base, PG) == -1, "segment %d pinned after preadv", i);
	}

	fill(w, len, 41);
	CHECK(pwrite(fa, w, len, 0) == (ssize_t)len, "write");
	CHECK((pg = first_pinned_page(w, len)) == -1, "page %ld pinned after write", pg);
	CHECK(!read_buffered("fragA", r, len), "buffered read after write");
	CHECK(diff(w, r, len) < 0, "write: page cache differs at %ld", diff(w, r, len));
	fill(w, len, 42);
	res = aio_rw(fa, 1, w, len, 0, 0, NULL);
	CHECK(res == (long)len, "aio write returned %ld", res);
	CHECK((pg = first_pinned_page(w, len)) == -1, "page %ld pinned after aio write", pg);
	CHECK(!read_buffered("fragA", r, len), "buffered read after aio write");
	CHECK(diff(w, r, len) < 0, "aio write: page cache differs at %ld", diff(w, r, len));
	CHECK(!read_buffered("fragB", r, len), "read fragB");
	for (off = 0; off < len; off++)
		CHECK(r[off] == 0x42, "fragB changed at %zu", off);
	close(fa);
	return 0;
}

#define TRACING "/sys/kernel/tracing/"

/* Clear the trace buffer and switch the block_bio_queue event on or off. */
static int trace_bio_queue(int on)
{
	if (on && write_str(TRACING "trace", ""))
		return -1;
	return write_str(TRACING "events/block/block_bio_queue/enable", on ? "1" : "0");
}

/*
 * Sectors this program queued with exactly the flags rwbs (blktrace
 * letters) since the trace was cleared; *other gets those queued with
 * other flags (metadata I/O of the filesystem, for the failure message).
 * With rwbs NULL: the number of empty bios it queued.
 */
static long traced_sectors(const char *rwbs, long *other)
{
	char line[512], flags[16], comm[64];
	unsigned long long sector;
	unsigned int n;
	long match = 0;
	FILE *f = fopen(TRACING "trace", "r");
	const char *ev;

	*other = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		ev = strstr(line, "block_bio_queue: ");
		if (!ev || sscanf(ev + 17, "%*s %15s %llu + %u [%63[^]]]", flags, &sector, &n,
				  comm) != 4 || strcmp(comm, "dio_test"))
			continue;
		if (!rwbs)
			match += n == 0;
		else if (!strcmp(flags, rwbs))
			match += n;
		else
			*other += n;
	}
	fclose(f);
	return match;
}

/* Bios queued with REQ_PREFLUSH or REQ_FUA (an "F" in rwbs) by any task. */
static long traced_flushes(void)
{
	char line[512], flags[16];
	FILE *f = fopen(TRACING "trace", "r");
	const char *ev;
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		ev = strstr(line, "block_bio_queue: ");
		if (ev && sscanf(ev + 17, "%*s %15s", flags) == 1 && strchr(flags, 'F'))
			n++;
	}
	fclose(f);
	return n;
}

/* F14: direct writes are queued REQ_SYNC ("WS"), direct reads without flags ("R"). */
static int t_bio_flags(void)
{
	size_t len = 64 * 1024;
	char *b = abuf(len);
	long n, other;
	int fd;

	if (access(TRACING "events/block/block_bio_queue/enable", W_OK))
		SKIP("no block tracepoints in this kernel");
	CHECK(!make_file("flags", len, 32), "setup");
	fd = open(path("flags"), readonly_fs ? O_RDONLY | O_DIRECT : O_RDWR | O_DIRECT);
	CHECK(fd >= 0, "open");
	/* Warm the filesystem's metadata so that only the data bios are traced. */
	CHECK(pread(fd, b, len, 0) == (ssize_t)len, "warm-up read");
	if (!readonly_fs) {
		CHECK(pwrite(fd, b, len, 0) == (ssize_t)len, "warm-up write");
		CHECK(!trace_bio_queue(1), "enable trace");
		CHECK(pwrite(fd, b, len, 0) == (ssize_t)len, "write");
		trace_bio_queue(0);
		n = traced_sectors("WS", &other);
		CHECK(n == (long)(len / 512), "write: %ld sectors queued WS, %ld otherwise", n, other);
	}
	CHECK(!trace_bio_queue(1), "enable trace");
	CHECK(pread(fd, b, len, 0) == (ssize_t)len, "read");
	trace_bio_queue(0);
	n = traced_sectors("R", &other);
	CHECK(n == (long)(len / 512), "read: %ld sectors queued R, %ld otherwise", n, other);
	close(fd);
	return 0;
}

/* Whether the guest runs the Rust engine (rustdio.engine= on the command line). */
static int rust_engine(void)
{
	char line[1024];
	FILE *f = fopen("/proc/cmdline", "r");
	int rust = 0;

	if (f && fgets(line, sizeof(line), f))
		rust = strstr(line, "rustdio.engine=rust") != NULL;
	if (f)
		fclose(f);
	return rust;
}

static int trace_rustdio(int on)
{
	if (on && write_str(TRACING "trace", ""))
		return -1;
	if (write_str(TRACING "events/rustdio/enable", on ? "1" : "0"))
		return -1;
	return write_str(TRACING "events/block/block_bio_queue/enable", on ? "1" : "0");
}

/*
 * The rustdio events of inode ino in the trace, each as the text after
 * "rustdio_dio_", joined with " / " into got; returns how many, and sets
 * *bios to the data bios this program queued meanwhile (block_bio_queue).
 */
static int traced_requests(unsigned long ino, char *got, size_t size, long *bios)
{
	char line[512], key[48], comm[64];
	unsigned long long sector;
	unsigned int n;
	FILE *f = fopen(TRACING "trace", "r");
	const char *ev;
	size_t l;
	int count = 0;

	*got = 0;
	*bios = 0;
	if (!f)
		return -1;
	snprintf(key, sizeof(key), " ino 0x%lx ", ino);
	while (fgets(line, sizeof(line), f)) {
		l = strlen(line);
		while (l && (line[l - 1] == '\n' || line[l - 1] == ' '))
			line[--l] = 0;
		ev = strstr(line, "block_bio_queue: ");
		if (ev) {
			if (sscanf(ev + 17, "%*s %*s %llu + %u [%63[^]]]", &sector, &n, comm) == 3 &&
			    !strcmp(comm, "dio_test") && n)
				(*bios)++;
			continue;
		}
		ev = strstr(line, "rustdio_dio_");
		if (!ev || !strstr(ev, key))
			continue;
		snprintf(got + strlen(got), size - strlen(got), "%s%s", count ? " / " : "", ev + 12);
		count++;
	}
	fclose(f);
	return count;
}

/*
 * The rustdio tracepoints: a sync read, an AIO overwrite, a read into a
 * PROT_NONE buffer and a read of a hole each give one begin and one complete
 * event with every field as expected; the complete event's bio count is the
 * number of data bios the block layer saw queued.
 */
static int t_trace_events(void)
{
	size_t len = 64 * 1024;
	char *b = abuf(len), *bad, got[512], want[512], key[64], ev[64];
	/* ocfs2 calls __blockdev_direct_IO() with no flags, the others through blockdev_direct_IO(). */
	const char *flags = strncmp(fsname, "ocfs2", 5) ? " LOCKING|SKIP_HOLES" : "";
	struct stat st;
	long bios, r;
	int fd, hole;

	if (!rust_engine())
		SKIP("the C engine has no rustdio events");
	CHECK(!access(TRACING "events/rustdio/enable", W_OK), "no rustdio events in tracefs");
	CHECK(!make_file("trace", len, 61), "setup");
	fd = open(path("trace"), readonly_fs ? O_RDONLY | O_DIRECT : O_RDWR | O_DIRECT);
	CHECK(fd >= 0 && !fstat(fd, &st), "open");
	snprintf(key, sizeof(key), "dev %u:%u ino 0x%lx", major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino);
	/* Warm the metadata, so that only data bios are queued below. */
	CHECK(pread(fd, b, len, 0) == (ssize_t)len, "warm-up read");

	CHECK(!trace_rustdio(1), "enable events");
	r = pread(fd, b, 8192, 4096);
	trace_rustdio(0);
	CHECK(r == 8192, "sync read returned %ld", r);
	traced_requests(st.st_ino, got, sizeof(got), &bios);
	snprintf(ev, sizeof(ev), "bios %ld zeroed 0 result bytes", bios);
	snprintf(want, sizeof(want), "begin: %s pos 0x1000 count 8192 read sync dsync 0 flags%s / "
		 "complete: %s pos 0x1000 transferred 8192 ret 8192 %s", key, flags, key, ev);
	CHECK(bios > 0 && !strcmp(got, want), "sync read: events '%s', expected '%s'", got, want);

	if (!readonly_fs) {
		CHECK(!trace_rustdio(1), "enable events");
		r = aio_rw(fd, 1, b, 4096, 8192, 0, NULL);
		trace_rustdio(0);
		CHECK(r == 4096, "AIO write returned %ld", r);
		traced_requests(st.st_ino, got, sizeof(got), &bios);
		snprintf(ev, sizeof(ev), "bios %ld zeroed 0 result bytes", bios);
		snprintf(want, sizeof(want), "begin: %s pos 0x2000 count 4096 write async dsync 0 flags%s / "
			 "complete: %s pos 0x2000 transferred 4096 ret 4096 %s", key, flags, key, ev);
		CHECK(bios > 0 && !strcmp(got, want), "AIO write: events '%s', expected '%s'", got, want);
	}

	/* The first page of the buffer faults: nothing is done, -EFAULT. */
	bad = abuf(2 * PG);
	CHECK(!mprotect(bad, PG, PROT_NONE), "mprotect");
	CHECK(!trace_rustdio(1), "enable events");
	r = pread(fd, bad, 2 * PG, 0);
	trace_rustdio(0);
	CHECK(r == -1 && errno == EFAULT, "faulting read returned %ld", r);
	traced_requests(st.st_ino, got, sizeof(got), &bios);
	snprintf(want, sizeof(want), "begin: %s pos 0x0 count %d read sync dsync 0 flags%s / "
		 "complete: %s pos 0x0 transferred 0 ret -14 bios 0 zeroed 0 result submit",
		 key, 2 * PG, flags, key);
	CHECK(!strcmp(got, want), "faulting read: events '%s', expected '%s'", got, want);
	CHECK(bios == 0, "faulting read queued %ld bios", bios);
	close(fd);

	/* A direct read of a hole is zero-filled without a bio. */
	fd = open(path("trace-hole"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && !ftruncate(fd, (off_t)len) && !fsync(fd), "hole setup");
	hole = hole_at(fd, 0) == 0;
	close(fd);
	/* Filesystems that allocate and zero blocks as the size grows have no hole to read. */
	if (!hole)
		return 0;
	fd = open(path("trace-hole"), O_RDONLY | O_DIRECT);
	CHECK(fd >= 0 && !fstat(fd, &st), "open hole file");
	snprintf(key, sizeof(key), "dev %u:%u ino 0x%lx", major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino);
	CHECK(!trace_rustdio(1), "enable events");
	r = pread(fd, b, 4096, 0);
	trace_rustdio(0);
	close(fd);
	CHECK(r == 4096, "hole read returned %ld", r);
	traced_requests(st.st_ino, got, sizeof(got), &bios);
	snprintf(want, sizeof(want), "begin: %s pos 0x0 count 4096 read sync dsync 0 flags%s / "
		 "complete: %s pos 0x0 transferred 4096 ret 4096 bios 0 zeroed 4096 result bytes",
		 key, flags, key);
	CHECK(!strcmp(got, want) && bios == 0, "hole read: events '%s' (%ld bios), expected '%s'",
	      got, bios, want);
	return 0;
}

#define FORCE_INVARIANT "/sys/kernel/debug/rustdio/force_invariant"

/*
 * Each place where fs/direct-io.c would BUG() fails the request instead: the
 * Rust engine's test hook (debug kernel) forces each site once, on a direct
 * overwrite and on a sub-block write past EOF.  Each request must fail with
 * -EIO, leave every block of its range old or new and every other byte (and
 * another file) untouched, queue no empty bio, keep no page pinned, and leave
 * the inode usable (truncate returns, the next write works).
 */
static int t_forced_invariants(void)
{
	size_t size = 64 * 1024, off = 8192, len = 32768, b;
	char *w = abuf(len), *r = abuf(size), *old = abuf(size), *g = abuf(size), *gexp = abuf(size);
	char site[8], left[16];
	struct stat st;
	long pg, empty, other;
	ssize_t ret;
	int fd, i, pass, bs = 0;

	if (access(FORCE_INVARIANT, W_OK))
		SKIP("no %s: the C engine BUG()s at these sites, and the Rust engine has the "
		     "hook in its debug kernel only", FORCE_INVARIANT);
	CHECK(!make_file("guard", size, 50), "guard setup");
	fill(gexp, size, 50);
	for (pass = 0; pass < 2; pass++) {
		for (i = 1; i <= 9; i++) {
			size_t woff = off, wlen = len;

			CHECK(!make_file("inv", size, 51), "setup");
			fill(old, size, 51);
			fd = open(path("inv"), O_RDWR | O_DIRECT);
			CHECK(fd >= 0, "open");
			if (pass == 1) {
				/* One logical block into a new fs block past EOF. */
				CHECK(ioctl(fd, FIGETBSZ, &bs) == 0, "FIGETBSZ");
				if (bs <= (int)lbs) {
					close(fd);
					break;
				}
				woff = size + lbs;
				wlen = lbs;
			}
			fill(w, wlen, 52 + i);
			snprintf(site, sizeof(site), "%d", i);
			CHECK(!trace_bio_queue(1), "enable trace");
			CHECK(!write_str(FORCE_INVARIANT, site), "arm site %d", i);
			errno = 0;
			ret = pwrite(fd, w, wlen, woff);
			trace_bio_queue(0);
			CHECK(read_str(FORCE_INVARIANT, left, sizeof(left)) == 0, "read hook");
			if (pass == 1 && i == 1 && atoi(left)) {
				/* vfat, msdos: extending writes go buffered, not to the engine. */
				CHECK(!write_str(FORCE_INVARIANT, "0"), "disarm");
				close(fd);
				break;
			}
			CHECK(atoi(left) == 0, "site %d not reached (hook still %s)", i, left);
			CHECK(ret == -1 && errno == EIO, "%s site %d: write returned %zd (errno %d)",
			      pass ? "past EOF" : "overwrite", i, ret, errno);
			empty = traced_sectors(NULL, &other);
			CHECK(empty == 0, "site %d: %ld empty bios queued", i, empty);
			CHECK((pg = first_pinned_page(w, wlen)) == -1, "site %d: page %ld pinned", i, pg);
			CHECK(ftruncate(fd, size) == 0, "site %d: truncate", i);
			CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)size, "site %d: size %lld", i,
			      (long long)st.st_size);
			close(fd);
			CHECK(!read_buffered("inv", r, size), "site %d: read back", i);
			for (b = 0; b < size; b += lbs) {
				int in = b >= woff && b < woff + wlen;

				CHECK(!memcmp(r + b, old + b, lbs) ||
				      (in && !memcmp(r + b, w + (b - woff), lbs)),
				      "site %d: block at %zu is neither old nor new data", i, b);
			}
			CHECK(!read_buffered("guard", g, size) && diff(g, gexp, size) < 0,
			      "site %d: another file changed at %ld", i, diff(g, gexp, size));
			/* The engine still works: a clean write and read back. */
			fd = open(path("inv"), O_RDWR | O_DIRECT);
			CHECK(fd >= 0 && pwrite(fd, w, wlen, off) == (ssize_t)wlen, "site %d: next write", i);
			CHECK(pread(fd, r, wlen, off) == (ssize_t)wlen && !memcmp(r, w, wlen),
			      "site %d: next read", i);
			close(fd);
		}
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "aligned_overwrite", t_aligned_overwrite },
	{ "lbs_aligned_io", t_lbs_aligned_io },
	{ "misaligned_einval", t_misaligned_einval },
	{ "flush_before_read", t_flush_before_read },
	{ "zero_length", t_zero_length },
	{ "read_eof", t_read_eof },
	{ "holes", t_holes },
	{ "extend", t_extend },
	{ "subblock_zeroing", t_subblock_zeroing },
	{ "aio_overwrite", t_aio_overwrite },
	{ "aio_overwrite_dsync", t_aio_overwrite_dsync },
	{ "dio_workqueue", t_dio_workqueue },
	{ "vectored_many", t_vectored_many },
	{ "efault_read", t_efault_read },
	{ "efault_write", t_efault_write },
	{ "read_into_shared_map", t_read_into_shared_map },
	{ "fork_during_read", t_fork_during_read },
	{ "io_accounting", t_io_accounting },
	{ "truncate_vs_aio", t_truncate_vs_aio },
	{ "truncate_vs_aio_loop", t_truncate_vs_aio_loop },
	{ "concurrent", t_concurrent },
	{ "io_uring_fixed", t_io_uring_fixed },
	{ "loop_direct", t_loop_direct },
	{ "nowait", t_nowait },
	{ "pins_released", t_pins_released },
	{ "fragmented", t_fragmented },
	{ "forced_invariants", t_forced_invariants },
	{ "bio_flags", t_bio_flags },
	{ "trace_events", t_trace_events },
};

/*
 * Cases about the engine's write path, which a filesystem whose direct
 * writes fall back to buffered ones (nilfs2) never reaches.  The other
 * cases run there: their writes go through the page cache and their direct
 * reads through the engine.
 */
static int readonly_dio(const char *name)
{
	static const char *const writers[] = {
		"extend", "subblock_zeroing", "aio_overwrite_dsync", "dio_workqueue",
		"efault_write", "truncate_vs_aio", "truncate_vs_aio_loop", "loop_direct",
		"forced_invariants",
	};
	return IN_LIST(name, writers);
}

int main(int argc, char **argv)
{
	const char *only = getenv("DIO_TEST_ONLY");
	int nowrite, i, planned = 0;
	size_t n = sizeof(cases) / sizeof(cases[0]);

	if (argc < 4) {
		fprintf(stderr, "usage: %s <dir> <fsname> <lbs> [readonly-dio]\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	fsname = argv[2];
	lbs = strtoul(argv[3], NULL, 0);
	nowrite = argc > 4 && !strcmp(argv[4], "readonly-dio");
	readonly_fs = nowrite;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The TAP plan, so that a case lost to a crash or an early exit shows. */
	for (i = 0; i < (int)n; i++)
		planned += !(only && *only && !strstr(only, cases[i].name));
	printf("1..%d\n", planned);
	for (i = 0; i < (int)n; i++) {
		if (only && *only && !strstr(only, cases[i].name))
			continue;
		if (nowrite && readonly_dio(cases[i].name)) {
			ntest++;
			printf("ok %d - %s:%s # SKIP %s writes never use direct I/O, and this case "
			       "checks the engine's write path\n", ntest, fsname, cases[i].name, fsname);
			continue;
		}
		run(cases[i].name, cases[i].fn);
	}
	printf("# %s: %d cases, %d failed\n", fsname, ntest, nfail);
	return nfail ? 1 : 0;
}
