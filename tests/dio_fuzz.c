// SPDX-License-Identifier: GPL-2.0
/*
 * dio_fuzz: seeded O_DIRECT programs for differential testing of the
 * direct-I/O engines.  The same program run on two kernels must give the
 * same log: every operation's return value, errno, file size and block
 * count, the bytes each read returned, and at checkpoints each file's whole
 * content (read back after drop_caches) and its map of holes.
 *
 * A program is a list of operations generated from its seed, the logical
 * block size of the device and the block size of the filesystem only, never
 * from results, so a subset of it (the "keep" list) is the same operations.
 * Offsets may be relative to the file's size at the time the operation runs.
 *
 * Usage: dio_fuzz [-l] [-F] [-T] -d <dev> -t <fstype> -m <mnt> -L <label>
 *                 -b <lbs> -f <program list>
 *
 * The program list has one line per program:
 *     <label> <id> <seed> <nops> <all | i,j,k...>
 * and the lines whose label is <label> run, each on the filesystem restored
 * to the device's content when dio_fuzz started.  Prints a TAP plan, one
 * result line per program with the hash of its log ("ok N - fuzz:<label>:<id> # hash=H ... stale=N",
 * stale counting reads that returned the images' fill pattern),
 * and with -l the log itself as "# <id> <line>".  -F pins a fault
 * (/proc/thread-self/fail-nth) on some operations: failslab and
 * fail_make_request must be set up by the caller.  On
 * some of them allocations that may sleep do not count (failslab's
 * ignore-gfp-wait), which leaves mostly the request's bios, so that the
 * fault lands on its Nth bio.  With -T each pinned operation is marked in
 * the trace buffer ("dio_fuzz arm <label> <id> <op> nth=N bio=B" before,
 * "dio_fuzz disarm fired=F" after), so that the allocations traced between
 * the marks show where the fault landed (scripts/fault_trace.py).
 *
 * At the end of each program, with every request complete, the log says how
 * many pages of the anonymous buffer pool still hold a pin (a leaked pin
 * makes fork() copy the page instead of sharing it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096
#define NFILES 3
#define POOL (8 << 20)
#define SLOT (2 << 20)
#define MAXSEG 1025
#define MAXBATCH 4
#define FILE_CAP (4 << 20)

enum kind {
	K_PREAD, K_PWRITE, K_PREADV, K_PWRITEV, K_PREADV2, K_PWRITEV2,
	K_AIO, K_AIO_BATCH, K_URING, K_URING_FIXED,
	K_BUFWRITE, K_BUFREAD, K_MMAP_STORE, K_TRUNCATE, K_FALLOCATE,
	K_FSYNC, K_REMOUNT, K_CHECK, NKINDS
};
static const char *const kind_name[NKINDS] = {
	"pread", "pwrite", "preadv", "pwritev", "preadv2", "pwritev2",
	"aio", "aio_batch", "uring", "uring_fixed",
	"bufwrite", "bufread", "mmap_store", "truncate", "fallocate",
	"fsync", "remount", "check",
};
/* Relative weights: the direct-I/O calls dominate. */
static const int kind_weight[NKINDS] = {
	10, 10, 6, 6, 5, 5, 7, 4, 4, 3, 4, 2, 2, 3, 2, 2, 1, 2,
};

/* Where an offset is measured from: 0, the size, or the size rounded down. */
enum base { B_ABS, B_SIZE, B_SIZE_LBS, B_SIZE_BLK };
static const char *const base_name[] = { "abs", "size", "size_l", "size_b" };

/* Buffer memory: anonymous, a MAP_SHARED tmpfs file, anonymous with one PROT_NONE page. */
enum bkind { BK_ANON, BK_SHARED, BK_PROTNONE };
static const char *const bkind_name[] = { "anon", "shared", "protnone" };

struct io {
	int write;
	int base;
	long long delta;
	long long len;
	int nseg;
	int bkind;
	long long boff;		/* byte offset of the buffer in its pool */
	int none_page;		/* BK_PROTNONE: which page of the buffer */
};

struct op {
	int kind;
	int file;
	int fdkind;		/* 0 O_DIRECT, 1 +O_DSYNC, 2 +O_SYNC */
	int rwf;		/* RWF_* for preadv2/pwritev2, AIO, io_uring */
	int nio;
	struct io io[MAXBATCH];
	long long arg;		/* fallocate mode, fsync kind */
	int fail_nth;		/* -F: fail the Nth fault site of this call, 0 none */
	int fail_bio;		/* -F: count bios and allocations that cannot sleep */
};

static unsigned int lbs, fsblk;
static const char *dev, *fstype, *mnt, *label;
static int logging, faults;
static int fds[NFILES][4];	/* [file][0..2 direct kinds, 3 buffered] */
static char *pool, *spool;	/* anonymous and MAP_SHARED pools */
static aio_context_t actx;
static struct io_uring ring;
static int have_ring;
static struct iovec ring_buf;	/* the pool, registered with the ring */

/* Deterministic PRNG (splitmix64). */
static uint64_t rs;
static uint64_t rnd(void)
{
	uint64_t z = (rs += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static long long rn(long long n) { return n > 0 ? (long long)(rnd() % (uint64_t)n) : 0; }
static int chance(int pct) { return rn(100) < pct; }

static uint64_t hash;
static void hash_bytes(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--) {
		hash ^= *c++;
		hash *= 0x100000001b3ull;
	}
}

static int cur_id;
/* -T: the trace buffer's marker, written at each pinned operation. */
static int marker_fd = -1;
static int cur_op;
/*
 * Reads that returned the pattern every test image is filled with before
 * mkfs: disk blocks no file owns, shown to a reader.  Counted on every
 * engine, C included, and reported apart from the log comparison.
 */
static int stale, stale_logged;
static const char stale_mark[] = "STALE-DISK-DATA";

static void check_stale(const void *p, size_t n)
{
	if (n && memmem(p, n, stale_mark, sizeof(stale_mark) - 1))
		stale++;
}
static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	hash_bytes(line, n);
	hash_bytes("\n", 1);
	if (logging)
		printf("# %d %s\n", cur_id, line);
}

/* ---- generation ---- */

static long long pick_len(void)
{
	long long L = lbs, B = fsblk;

	switch (rn(16)) {
	case 0:
		return chance(30) ? 0 : L;
	case 1:
		return L;
	case 2:
		return 2 * L;
	case 3:
		return 3 * L;
	case 4:
		return B > L ? B - L : L;
	case 5:
		return B;
	case 6:
		return B + L;
	case 7:
		return PG;
	case 8:
		return 2 * PG + L;
	case 9:
		return 16384;
	case 10:
		return 65536;
	case 11:
		return 131072 + L;
	case 12:
		return 262144;
	case 13:
		return chance(25) ? (1 << 20) : 8 * PG;
	case 14:
		return chance(50) ? L + 1 : L / 2;	/* misaligned */
	default:
		return (1 + rn(24)) * L;
	}
}

static void pick_off(struct io *io)
{
	long long L = lbs, B = fsblk, unit, adj;

	io->base = chance(45) ? B_ABS : (int)(1 + rn(3));
	switch (rn(8)) {
	case 0:
	case 1:
	case 2:
	case 3:
		adj = 0;
		break;
	case 4:
		adj = L;
		break;
	case 5:
		adj = -L;
		break;
	case 6:
		adj = chance(50) ? B : -B;
		break;
	default:
		adj = chance(50) ? 1 : L / 2;	/* misaligned */
		break;
	}
	if (io->base == B_ABS) {
		switch (rn(4)) {
		case 0:
			unit = L;
			break;
		case 1:
			unit = B;
			break;
		case 2:
			unit = PG;
			break;
		default:
			unit = 65536;
			break;
		}
		io->delta = rn(chance(80) ? 17 : 64) * unit + adj;
		if (io->delta < 0)
			io->delta = 0;
	} else {
		io->delta = adj + (chance(20) ? rn(4) * B : 0);
	}
}

static void pick_buf(struct io *io, long long slot)
{
	long long L = lbs, pages = (SLOT - (2 << 10) - io->len) / PG;
	long long misalign;

	io->bkind = chance(70) ? BK_ANON : chance(50) ? BK_SHARED : BK_PROTNONE;
	switch (rn(10)) {
	case 0:
		misalign = chance(50) ? 1 : L / 2;	/* misaligned */
		break;
	case 1:
	case 2:
		misalign = L < PG ? L * (1 + rn(PG / L - 1)) : 0;
		break;
	default:
		misalign = 0;
		break;
	}
	io->boff = slot * SLOT + (pages > 0 ? rn(pages) : 0) * PG + misalign;
	io->none_page = (int)rn(io->len > PG ? (io->len + PG - 1) / PG : 1);
}

static void pick_io(struct io *io, int write, long long slot)
{
	memset(io, 0, sizeof(*io));
	io->write = write;
	pick_off(io);
	io->len = pick_len();
	switch (rn(12)) {
	case 0:
		io->nseg = 2;
		break;
	case 1:
		io->nseg = 3;
		break;
	case 2:
		io->nseg = 8;
		break;
	case 3:
		io->nseg = chance(85) ? 64 : chance(70) ? IOV_MAX : IOV_MAX + 1;
		break;
	default:
		io->nseg = 1;
		break;
	}
	pick_buf(io, slot);
}

static int pick_rwf(int write)
{
	int f = 0;

	if (write && chance(20))
		f |= RWF_DSYNC;
	if (chance(10))
		f |= RWF_NOWAIT;
	if (chance(10))
		f |= RWF_HIPRI;
	return f;
}

static int batch_writes(const struct op *op)
{
	int j, n = 0;

	for (j = 0; j < op->nio; j++)
		n += op->io[j].write;
	return n;
}

static int async_sync_write(const struct op *op)
{
	if (op->kind != K_AIO && op->kind != K_AIO_BATCH && op->kind != K_URING &&
	    op->kind != K_URING_FIXED)
		return 0;
	return batch_writes(op) && (op->fdkind != 0 || (op->rwf & RWF_DSYNC));
}

static void gen(struct op *ops, int nops, unsigned long long seed)
{
	int total = 0, i, k, w;

	rs = seed * 0x2545f4914f6cdd1dull + lbs * 131 + fsblk;
	for (k = 0; k < NKINDS; k++)
		total += kind_weight[k];
	for (i = 0; i < nops; i++) {
		struct op *op = &ops[i];

		memset(op, 0, sizeof(*op));
		w = (int)rn(total);
		for (k = 0; w >= kind_weight[k]; k++)
			w -= kind_weight[k];
		op->kind = k;
		op->file = (int)rn(NFILES);
		op->fdkind = chance(75) ? 0 : (int)(1 + rn(2));
		op->nio = 1;
		switch (k) {
		case K_PREAD: case K_PREADV: case K_PREADV2: case K_BUFREAD:
			pick_io(&op->io[0], 0, 0);
			break;
		case K_PWRITE: case K_PWRITEV: case K_PWRITEV2: case K_BUFWRITE:
			pick_io(&op->io[0], 1, 0);
			break;
		case K_AIO: case K_URING: case K_URING_FIXED:
			pick_io(&op->io[0], chance(50), 0);
			break;
		case K_AIO_BATCH:
			op->nio = 2 + (int)rn(MAXBATCH - 1);
			for (w = 0; w < op->nio; w++)
				pick_io(&op->io[w], chance(50), w);
			break;
		case K_MMAP_STORE:
		case K_TRUNCATE:
			pick_io(&op->io[0], 1, 0);
			break;
		case K_FALLOCATE:
			pick_io(&op->io[0], 1, 0);
			op->arg = rn(4);
			break;
		case K_FSYNC:
			op->arg = rn(2);
			break;
		}
		if (k == K_PREAD || k == K_PWRITE || k == K_BUFREAD || k == K_BUFWRITE ||
		    k == K_URING_FIXED || k == K_MMAP_STORE || k == K_TRUNCATE || k == K_FALLOCATE)
			op->io[0].nseg = 1;
		if (k == K_URING_FIXED || k == K_BUFREAD || k == K_BUFWRITE)
			op->io[0].bkind = BK_ANON;
		if (k == K_PREADV2 || k == K_PWRITEV2 || k == K_AIO || k == K_AIO_BATCH ||
		    k == K_URING || k == K_URING_FIXED)
			op->rwf = pick_rwf(op->io[0].write);
		/*
		 * An asynchronous write that syncs (O_DSYNC, O_SYNC or
		 * RWF_DSYNC) is synced by the last reference's dropper: in
		 * dio_complete() from dio/<dev> if its bios complete after
		 * the submitter's drop, by the filesystem's ->write_iter()
		 * (or not at all) if before.  Under faults a write error an
		 * earlier fault left in the mapping goes to whichever sync
		 * runs, so no such write syncs: it runs on the plain
		 * O_DIRECT file without RWF_DSYNC.  Made after the draws, so
		 * later ops do not move.
		 */
		if (faults && async_sync_write(op)) {
			op->fdkind = 0;
			op->rwf &= ~RWF_DSYNC;
		}
		if (faults && k != K_REMOUNT && k != K_CHECK && chance(30)) {
			op->fail_bio = chance(40);
			op->fail_nth = 1 + (int)rn(op->fail_bio || chance(70) ? 8 : 64);
			/*
			 * fsync() does not reach the engine, and what it
			 * writes back a filesystem's own threads (a journal
			 * commit) may have written first: no pin.  It was
			 * drawn all the same, so the ops after it are
			 * unchanged.
			 */
			if (k == K_FSYNC)
				op->fail_nth = op->fail_bio = 0;
		}
	}
}

/* ---- execution ---- */

static const char *const fnames[NFILES] = { "fz0", "fz1", "fz2" };

static int open_files(void)
{
	static const int dflags[3] = { O_DIRECT, O_DIRECT | O_DSYNC, O_DIRECT | O_SYNC };
	char p[PATH_MAX];
	int f, k;

	for (f = 0; f < NFILES; f++) {
		snprintf(p, sizeof(p), "%s/%s", mnt, fnames[f]);
		for (k = 0; k < 4; k++) {
			fds[f][k] = open(p, O_RDWR | O_CREAT | (k < 3 ? dflags[k] : 0), 0644);
			if (fds[f][k] < 0)
				return -errno;
		}
	}
	return 0;
}

static void close_files(void)
{
	int f, k;

	for (f = 0; f < NFILES; f++)
		for (k = 0; k < 4; k++)
			if (fds[f][k] >= 0) {
				close(fds[f][k]);
				fds[f][k] = -1;
			}
}

/*
 * The first asynchronous direct write of a mount makes the superblock's
 * completion workqueue (s_dio_done_wq), and how many allocations that takes
 * depends on whether a matching worker pool is still cached from the last
 * unmount, that is on timing.  Under pinned faults it is made here, with no
 * fault armed, by an AIO overwrite of a scratch file (an overwrite: vfat
 * takes writes past the allocated size through the page cache).
 */
static void make_dio_wq(void)
{
	struct iocb cb, *cbp = &cb;
	struct io_event ev;
	char p[PATH_MAX];
	int fd, bfd;

	snprintf(p, sizeof(p), "%s/fzwq", mnt);
	bfd = open(p, O_RDWR | O_CREAT, 0644);
	fd = open(p, O_RDWR | O_DIRECT);
	if (bfd >= 0 && fd >= 0 && pwrite(bfd, pool, lbs, 0) == (ssize_t)lbs && !fsync(bfd)) {
		memset(&cb, 0, sizeof(cb));
		cb.aio_fildes = fd;
		cb.aio_lio_opcode = IOCB_CMD_PWRITE;
		cb.aio_buf = (uintptr_t)pool;
		cb.aio_nbytes = lbs;
		if (syscall(SYS_io_submit, actx, 1, &cbp) == 1)
			syscall(SYS_io_getevents, actx, 1, 1, &ev, NULL);
	}
	if (fd >= 0)
		close(fd);
	if (bfd >= 0)
		close(bfd);
	unlink(p);
}

static int do_mount(void)
{
	const char *opts = strcmp(fstype, "ocfs2") == 0 ? "heartbeat=none" : NULL;

	/* Under pinned faults no atime updates, for the reason arm_fault() sleeps. */
	if (mount(dev, mnt, fstype, faults ? MS_NOATIME : 0, opts))
		return -errno;
	if (faults)
		make_dio_wq();
	return 0;
}

/*
 * Some disks are set up to take requests of one page (ocfs2's, so that a
 * larger RWF_NOWAIT bio must be split).  Written back one page per request,
 * the image takes most of a program's time on a KASAN kernel under TCG, so
 * load_image() and restore() lift the device's max_sectors_kb to the
 * hardware's limit while they copy it, and put the set-up's value back
 * before a program mounts the filesystem.
 */
static char queue_dir[PATH_MAX + 32];

static int queue_attr(const char *name, char *val, size_t len, int write_it)
{
	char path[PATH_MAX + 64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", queue_dir, name);
	fd = open(path, write_it ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return -errno;
	if (write_it) {
		n = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	} else {
		n = read(fd, val, len - 1);
		if (n >= 0)
			val[n] = 0;
	}
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

/* The device's sysfs queue directory (a partition has none: no lifting). */
static int find_queue_dir(void)
{
	char real[PATH_MAX];
	const char *name;

	if (!realpath(dev, real))
		return -errno;
	name = strrchr(real, '/');
	snprintf(queue_dir, sizeof(queue_dir), "/sys/class/block/%s/queue",
		 name ? name + 1 : real);
	return 0;
}

/* Returns 1 if the limit was lifted (old value in @old), 0 if not. */
static int lift_max_sectors(char *old, size_t len)
{
	char hw[32];

	if (!queue_dir[0] || queue_attr("max_sectors_kb", old, len, 0) ||
	    queue_attr("max_hw_sectors_kb", hw, sizeof(hw), 0) ||
	    atol(old) >= atol(hw))
		return 0;
	return queue_attr("max_sectors_kb", hw, sizeof(hw), 1) == 0;
}

/*
 * The device's content before the first program, kept in memory: restore()
 * writes it back with O_DIRECT, so that no copy of it passes through the
 * page cache on every program (half a program's time on a KASAN kernel
 * under TCG).
 */
static void *image;
static size_t image_len;

static int load_image(void)
{
	uint64_t bytes = 0;
	size_t got = 0;
	ssize_t n;
	char old[32];
	int lifted = lift_max_sectors(old, sizeof(old));
	int fd = open(dev, O_RDONLY), rc = 0;

	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes))
		rc = -errno;
	else if (bytes == 0 || bytes % 4096 || bytes > SIZE_MAX)
		rc = -EINVAL;
	if (!rc) {
		image_len = (size_t)bytes;
		image = mmap(NULL, image_len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (image == MAP_FAILED) {
			image = NULL;
			rc = -errno;
		}
	}
	while (!rc && got < image_len) {
		n = pread(fd, (char *)image + got, image_len - got, (off_t)got);
		if (n <= 0)
			rc = n < 0 ? -errno : -EIO;
		else
			got += (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	if (lifted) {
		int r = queue_attr("max_sectors_kb", old, sizeof(old), 1);

		if (!rc)
			rc = r;
	}
	return rc;
}

/* Put the first image back on the device, so every program starts alike. */
static int restore(void)
{
	size_t off, len;
	char old[32];
	int lifted = lift_max_sectors(old, sizeof(old));
	int out = open(dev, O_WRONLY | O_DIRECT);
	int rc = 0;

	if (out < 0)
		rc = -errno;
	/*
	 * A write error an injected fault caused in the previous program (a
	 * metadata buffer's "lost page write") is still recorded in the
	 * device's mapping and would be reported by the first fsync() of this
	 * new open file: report it here, before the image is written.
	 */
	if (out >= 0)
		fsync(out);
	for (off = 0; !rc && off < image_len; off += len) {
		len = image_len - off < (4 << 20) ? image_len - off : (4 << 20);
		if (pwrite(out, (char *)image + off, len, (off_t)off) != (ssize_t)len)
			rc = -EIO;
	}
	/* The device's cache must not hold the previous program's blocks. */
	if (!rc && (fsync(out) || ioctl(out, BLKFLSBUF, 0)))
		rc = -errno;
	if (out >= 0)
		close(out);
	/* The program must run with the limit the set-up chose. */
	if (lifted) {
		int r = queue_attr("max_sectors_kb", old, sizeof(old), 1);

		if (!rc)
			rc = r;
	}
	return rc;
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			perror("drop_caches");
		close(fd);
	}
}

/*
 * reiserfs counts a file's blocks differently from one boot of the same
 * kernel to the next (whether a tail is packed depends on when the journal
 * and the tree balancing run), so its block count is not logged.
 */
static int blocks_repeat = 1;

static long long file_size(int f, long long *blocks)
{
	struct stat st;

	if (fstat(fds[f][3], &st)) {
		*blocks = -errno;
		return -1;
	}
	*blocks = blocks_repeat ? st.st_blocks : -1;
	return st.st_size;
}

static long long resolve(const struct io *io, long long size)
{
	long long v;

	switch (io->base) {
	case B_SIZE:
		v = size;
		break;
	case B_SIZE_LBS:
		v = size / lbs * lbs;
		break;
	case B_SIZE_BLK:
		v = size / fsblk * fsblk;
		break;
	default:
		v = 0;
		break;
	}
	v += io->delta;
	if (v < 0)
		v = 0;
	if (v > FILE_CAP)
		v = FILE_CAP;
	return v;
}

static void fill_pattern(char *p, long long len, unsigned long long key)
{
	long long i;

	for (i = 0; i < len; i++)
		p[i] = (char)((key * 2654435761u + (unsigned long long)i * 40503u) >> 7) | 1;
}

/* The buffer of an I/O, its iovec split, and the PROT_NONE page if any. */
struct prepared {
	char *buf;
	struct iovec iov[MAXSEG];
	int nseg;
	char *none;
};

static void prepare(const struct io *io, struct prepared *pr, unsigned long long key)
{
	char *base = io->bkind == BK_SHARED ? spool : pool;
	long long left = io->len, L = lbs;
	int s;

	pr->buf = base + io->boff;
	if (io->write)
		fill_pattern(pr->buf, io->len, key);
	else
		memset(pr->buf, 0xee, io->len);
	/* Segments: multiples of the block size while it lasts, the rest in the last. */
	pr->nseg = io->nseg;
	for (s = 0; s < io->nseg; s++) {
		long long n = s == io->nseg - 1 ? left :
			left >= L ? L * (1 + ((key >> (s % 32)) & 3)) : 0;

		if (n > left)
			n = left;
		pr->iov[s].iov_base = pr->buf + (io->len - left);
		pr->iov[s].iov_len = n;
		left -= n;
	}
	pr->none = NULL;
	if (io->bkind == BK_PROTNONE) {
		pr->none = (char *)(((uintptr_t)pr->buf & ~(uintptr_t)(PG - 1)) +
				    (uintptr_t)io->none_page * PG);
		mprotect(pr->none, PG, PROT_NONE);
	}
}

static void unprepare(struct prepared *pr)
{
	if (pr->none)
		mprotect(pr->none, PG, PROT_READ | PROT_WRITE);
}

/* Hash of what a read returned: the first ret bytes of its segments. */
static uint64_t read_hash(const struct prepared *pr, long long ret)
{
	uint64_t save = hash, h;
	int s;

	hash = 0xcbf29ce484222325ull;
	for (s = 0; s < pr->nseg && ret > 0; s++) {
		long long n = (long long)pr->iov[s].iov_len < ret ? (long long)pr->iov[s].iov_len : ret;

		check_stale(pr->iov[s].iov_base, n);
		hash_bytes(pr->iov[s].iov_base, n);
		ret -= n;
	}
	h = hash;
	hash = save;
	return h;
}

static int fail_nth_fd = -1, slab_nosleep_fd = -1;

/*
 * A store through a mapping whose page the kernel cannot read in (a bio
 * failed by a pinned fault) raises SIGBUS: the operation logs it instead of
 * the program dying.
 */
static sigjmp_buf store_fault;
static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(store_fault, 1);
}

/* failslab counts every allocation (N) or only those that cannot sleep (Y). */
static void slab_nosleep(const char *yn)
{
	if (pwrite(slab_nosleep_fd, yn, 1, 0) != 1)
		perror("failslab/ignore-gfp-wait");
}

static void arm_fault(const struct op *op)
{
	char s[16];

	if (!op->fail_nth)
		return;
	/*
	 * A write updates the file's times (and a filesystem may then start a
	 * transaction or write the inode: more allocations and bios) only if
	 * the clock's coarse value has moved since the last update, which in a
	 * fast run it may not have.  Let at least one tick (4 ms at HZ=250)
	 * pass, so that it always has.
	 */
	usleep(5000);
	if (op->fail_bio)
		slab_nosleep("Y");
	snprintf(s, sizeof(s), "%d", op->fail_nth);
	if (marker_fd >= 0)
		dprintf(marker_fd, "dio_fuzz arm %s %d %d nth=%d bio=%d\n", label, cur_id, cur_op,
			op->fail_nth, op->fail_bio);
	if (pwrite(fail_nth_fd, s, strlen(s), 0) < 0)
		perror("fail-nth");
}

/* 1 if the armed fault was injected; disarms a fault that was not. */
static int disarm_fault(const struct op *op)
{
	char s[16] = "";
	ssize_t r;
	int fired = 0;

	if (!op->fail_nth)
		return 0;
	r = pread(fail_nth_fd, s, sizeof(s) - 1, 0);
	if (r > 0 && atoi(s) == 0)
		fired = 1;
	else if (pwrite(fail_nth_fd, "0", 1, 0) < 0)
		perror("fail-nth");
	if (op->fail_bio)
		slab_nosleep("N");
	if (marker_fd >= 0)
		dprintf(marker_fd, "dio_fuzz disarm fired=%d\n", fired);
	return fired;
}

static void log_result(int i, const struct op *op, const char *what, long long ret, int err,
		       int fired)
{
	long long blocks, size = file_size(op->file, &blocks);

	logf_("%d %s f%d fd%d rwf=%x %s -> %lld e=%d%s sz=%lld bl=%lld%s", i, kind_name[op->kind],
	      op->file, op->fdkind, op->rwf, what, ret, ret < 0 ? err : 0,
	      !op->fail_nth ? "" : op->fail_bio ? (fired ? " fault=bio-hit" : " fault=bio-miss") :
	      fired ? " fault=hit" : " fault=miss", size, blocks,
	      stale != stale_logged ? " STALE" : "");
	stale_logged = stale;
}

static void describe(char *d, size_t n, const struct io *io, long long off)
{
	snprintf(d, n, "%s%+lld=%lld len=%lld seg=%d buf=%s+%lld", base_name[io->base], io->delta,
		 off, io->len, io->nseg, bkind_name[io->bkind], io->boff % PG);
	if (io->bkind == BK_PROTNONE) {
		size_t l = strlen(d);

		snprintf(d + l, n - l, "/%d", io->none_page);
	}
}

static void checkpoint(int i)
{
	static char buf[1 << 16];
	int f;

	for (f = 0; f < NFILES; f++)
		fsync(fds[f][3]);
	drop_caches();
	for (f = 0; f < NFILES; f++) {
		long long blocks, size = file_size(f, &blocks), off = 0, data, hole;
		int stale_before = stale;
		uint64_t save = hash, content, holes;
		ssize_t r;

		hash = 0xcbf29ce484222325ull;
		while ((r = pread(fds[f][3], buf, sizeof(buf), off)) > 0) {
			check_stale(buf, r);
			hash_bytes(buf, r);
			off += r;
		}
		if (r < 0)
			hash_bytes("ERR", 3);
		content = hash;
		hash = 0xcbf29ce484222325ull;
		for (off = 0; off < size; off = hole) {
			data = lseek(fds[f][3], off, SEEK_DATA);
			if (data < 0)
				break;
			hole = lseek(fds[f][3], data, SEEK_HOLE);
			if (hole <= data)
				break;
			hash_bytes(&data, sizeof(data));
			hash_bytes(&hole, sizeof(hole));
		}
		holes = hash;
		hash = save;
		logf_("%d check f%d sz=%lld bl=%lld read=%lld content=%016" PRIx64 " holes=%016" PRIx64 "%s",
		      i, f, size, blocks, off < size ? off : size, content, holes,
		      stale != stale_before ? " STALE" : "");
		stale_logged = stale;
	}
}

/* Log a single-buffer I/O: its description, and what a read returned. */
static void finish_io(int i, const struct op *op, struct prepared *pr, const char *d,
		      long long ret, int err, int fired)
{
	char what[200];

	unprepare(pr);
	if (!op->io[0].write && ret > 0)
		snprintf(what, sizeof(what), "%s data=%016" PRIx64, d, read_hash(pr, ret));
	else
		snprintf(what, sizeof(what), "%s", d);
	log_result(i, op, what, ret, err, fired);
}

static void run_rw(int i, struct op *op, unsigned long long key)
{
	struct io *io = &op->io[0];
	int fd = fds[op->file][op->kind == K_BUFREAD || op->kind == K_BUFWRITE ? 3 : op->fdkind];
	long long blocks, off = resolve(io, file_size(op->file, &blocks));
	struct prepared pr;
	char d[160];
	long long ret;
	int err, fired;

	prepare(io, &pr, key);
	describe(d, sizeof(d), io, off);
	arm_fault(op);
	switch (op->kind) {
	case K_PREAD:
	case K_BUFREAD:
		ret = pread(fd, pr.buf, io->len, off);
		break;
	case K_PWRITE:
	case K_BUFWRITE:
		ret = pwrite(fd, pr.buf, io->len, off);
		break;
	case K_PREADV:
		ret = preadv(fd, pr.iov, pr.nseg, off);
		break;
	case K_PWRITEV:
		ret = pwritev(fd, pr.iov, pr.nseg, off);
		break;
	case K_PREADV2:
		ret = preadv2(fd, pr.iov, pr.nseg, off, op->rwf);
		break;
	default:
		ret = pwritev2(fd, pr.iov, pr.nseg, off, op->rwf);
		break;
	}
	err = errno;
	fired = disarm_fault(op);
	finish_io(i, op, &pr, d, ret, err, fired);
}

static void run_aio(int i, struct op *op, unsigned long long key)
{
	struct iocb cbs[MAXBATCH], *cbp[MAXBATCH];
	struct prepared pr[MAXBATCH];
	struct io_event ev[MAXBATCH];
	long long blocks, size = file_size(op->file, &blocks), offs[MAXBATCH], res[MAXBATCH];
	int fd = fds[op->file][op->fdkind], n = op->nio, j, k, fired;
	long r, got = 0;
	char what[400], d[160];
	size_t w = 0;
	int err;

	for (j = 0; j < n; j++) {
		struct io *io = &op->io[j];

		/*
		 * Items of a batch never overlap, so that no item's result
		 * depends on the order the others complete in: each is 2 MiB
		 * further on, and 2 MiB more (which keeps its alignment) while
		 * it meets an earlier one, as an item placed from the file
		 * size can meet one placed from offset 0.
		 */
		offs[j] = resolve(io, size) + (long long)j * SLOT;
		for (k = 0; k < j; k++) {
			if (offs[j] < offs[k] + op->io[k].len &&
			    offs[k] < offs[j] + io->len) {
				offs[j] += SLOT;
				k = -1;
			}
		}
		prepare(io, &pr[j], key + j);
		memset(&cbs[j], 0, sizeof(cbs[j]));
		cbs[j].aio_data = j;
		cbs[j].aio_fildes = fd;
		cbs[j].aio_rw_flags = op->rwf;
		cbs[j].aio_offset = offs[j];
		if (pr[j].nseg == 1) {
			cbs[j].aio_lio_opcode = io->write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD;
			cbs[j].aio_buf = (uintptr_t)pr[j].buf;
			cbs[j].aio_nbytes = io->len;
		} else {
			cbs[j].aio_lio_opcode = io->write ? IOCB_CMD_PWRITEV : IOCB_CMD_PREADV;
			cbs[j].aio_buf = (uintptr_t)pr[j].iov;
			cbs[j].aio_nbytes = pr[j].nseg;
		}
		cbp[j] = &cbs[j];
		res[j] = LLONG_MIN;
	}
	arm_fault(op);
	r = syscall(SYS_io_submit, actx, n, cbp);
	err = errno;
	fired = disarm_fault(op);
	while (r > 0 && got < r) {
		long e = syscall(SYS_io_getevents, actx, 1, r - got, ev, NULL);

		if (e <= 0)
			break;
		for (j = 0; j < e; j++)
			res[ev[j].data] = (long long)ev[j].res;
		got += e;
	}
	w += snprintf(what + w, sizeof(what) - w, "submit=%ld", r < 0 ? -err : r);
	for (j = 0; j < n; j++) {
		unprepare(&pr[j]);
		describe(d, sizeof(d), &op->io[j], offs[j]);
		w += snprintf(what + w, sizeof(what) - w, " [%c %s res=%lld", op->io[j].write ? 'w' : 'r',
			      d, res[j] == LLONG_MIN ? 0 : res[j]);
		if (w < sizeof(what) && !op->io[j].write && res[j] > 0 && res[j] != LLONG_MIN)
			w += snprintf(what + w, sizeof(what) - w, " data=%016" PRIx64,
				      read_hash(&pr[j], res[j]));
		if (w < sizeof(what))
			w += snprintf(what + w, sizeof(what) - w, "]");
		if (w >= sizeof(what))
			w = sizeof(what) - 1;
	}
	log_result(i, op, what, r, err, fired);
}

static void run_uring(int i, struct op *op, unsigned long long key)
{
	struct io *io = &op->io[0];
	int fd = fds[op->file][op->fdkind], fired, err = 0;
	long long blocks, off = resolve(io, file_size(op->file, &blocks));
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct prepared pr;
	char d[160];
	long long ret;

	if (!have_ring) {
		log_result(i, op, "no ring", -1, ENOSYS, 0);
		return;
	}
	prepare(io, &pr, key);
	describe(d, sizeof(d), io, off);
	sqe = io_uring_get_sqe(&ring);
	if (op->kind == K_URING_FIXED) {
		if (io->write)
			io_uring_prep_write_fixed(sqe, fd, pr.buf, io->len, off, 0);
		else
			io_uring_prep_read_fixed(sqe, fd, pr.buf, io->len, off, 0);
	} else if (pr.nseg == 1) {
		if (io->write)
			io_uring_prep_write(sqe, fd, pr.buf, io->len, off);
		else
			io_uring_prep_read(sqe, fd, pr.buf, io->len, off);
	} else {
		if (io->write)
			io_uring_prep_writev(sqe, fd, pr.iov, pr.nseg, off);
		else
			io_uring_prep_readv(sqe, fd, pr.iov, pr.nseg, off);
	}
	sqe->rw_flags = op->rwf;
	/*
	 * A write without RWF_NOWAIT skips io_uring's first, non-blocking
	 * try on a file with FMODE_NOWAIT (ocfs2 here; on the others io_uring
	 * goes to io-wq at once anyway): that try's bios carry REQ_NOWAIT,
	 * and whether io_uring reissues one that ends with -EAGAIN depends on
	 * the context its last bio completes in, which the program does not
	 * fix.  Reads keep the try: their bios never carry REQ_NOWAIT.
	 */
	if (io->write && !(op->rwf & RWF_NOWAIT))
		sqe->flags |= IOSQE_ASYNC;
	arm_fault(op);
	ret = io_uring_submit(&ring);
	fired = disarm_fault(op);
	if (ret == 1 && io_uring_wait_cqe(&ring, &cqe) == 0) {
		ret = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (ret < 0) {
			err = (int)-ret;
			ret = -1;
		}
	} else {
		err = ret < 0 ? (int)-ret : EIO;
		ret = -2;
	}
	finish_io(i, op, &pr, d, ret, err, fired);
}

static void run_other(int i, struct op *op, unsigned long long key)
{
	static const int fmodes[4] = {
		0, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, FALLOC_FL_ZERO_RANGE
	};
	int fd = fds[op->file][3], err = 0, fired = 0;
	long long blocks, size = file_size(op->file, &blocks), off = resolve(&op->io[0], size);
	long long ret = 0, len = op->io[0].len;
	char what[160];

	snprintf(what, sizeof(what), "off=%lld len=%lld arg=%lld", off, len, op->arg);
	arm_fault(op);
	switch (op->kind) {
	case K_MMAP_STORE:
		{
		long long pg = size > 0 ? (off % size) / PG * PG : 0, n;
		char *m;

		if (size <= 0) {
			ret = -1;
			err = ENODATA;
			break;
		}
		n = size - pg < PG ? size - pg : PG;
		m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
		if (m == MAP_FAILED) {
			ret = -1;
			err = errno;
			break;
		}
		if (sigsetjmp(store_fault, 1)) {
			/* The page could not be read in: an injected I/O error. */
			munmap(m, PG);
			ret = -1;
			err = EFAULT;
			snprintf(what, sizeof(what), "page=%lld n=%lld sigbus", pg, n);
			break;
		}
		fill_pattern(m, n, key);
		munmap(m, PG);
		ret = n;
		snprintf(what, sizeof(what), "page=%lld n=%lld", pg, n);
		break;
	}
	case K_TRUNCATE:
		ret = ftruncate(fd, off);
		break;
	case K_FALLOCATE:
		if (len <= 0)
			len = lbs;
		ret = fallocate(fd, fmodes[op->arg & 3], off, len);
		break;
	case K_FSYNC:
		ret = op->arg ? fdatasync(fd) : fsync(fd);
		break;
	}
	if (ret < 0 && !err)
		err = errno;
	fired = disarm_fault(op);
	log_result(i, op, what, ret, err, fired);
}

/*
 * Close every file and let the kernel finish with them before an unmount.
 * An AIO request drops its file reference in its completion, after the
 * event is visible, possibly from interrupt context (a delayed fput): the
 * last reference, whose ->release trims preallocated blocks on udf and hfs,
 * would otherwise be dropped by whichever side comes last.
 */
static void close_and_settle(void)
{
	close_files();
	usleep(50000);
}

static int remount(int i)
{
	int r;

	close_and_settle();
	r = umount(mnt) ? -errno : 0;
	if (!r)
		r = do_mount();
	if (!r)
		r = open_files();
	logf_("%d remount -> %d", i, r);
	return r;
}

static int keep_has(const char *keep, int i)
{
	const char *p = keep;

	if (strcmp(keep, "all") == 0)
		return 1;
	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			return 0;
		if (v == i)
			return 1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

/* Page frames of the pool's pages (0: not present), from pagemap (as root). */
static int pool_frames(const char *who, uint64_t *pfn)
{
	int fd = open(who, O_RDONLY), n = POOL / PG, i;
	ssize_t want = (ssize_t)(n * sizeof(*pfn));

	if (fd < 0)
		return -1;
	if (pread(fd, pfn, want, (off_t)((uintptr_t)pool / PG * sizeof(*pfn))) != want) {
		close(fd);
		return -1;
	}
	close(fd);
	for (i = 0; i < n; i++)
		pfn[i] = pfn[i] >> 63 ? pfn[i] & ((1ULL << 55) - 1) : 0;
	return 0;
}

/*
 * Pages of the anonymous pool that still hold a pin, -1 if the check
 * failed.  fork() shares an unpinned private page with the child and copies
 * one that may be pinned for DMA (folio_maybe_dma_pinned(); for a huge page
 * every page of it), so a pinned page has another frame in the child.  The
 * ring's registration pins the whole pool: it is dropped for the check.
 */
static int pinned_pages(void)
{
	static uint64_t mine[POOL / PG], child[POOL / PG];
	int pipefd[2], n = -1, i;
	pid_t pid;

	if (pool_frames("/proc/self/pagemap", mine) || pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		n = 0;
		if (pool_frames("/proc/self/pagemap", child))
			n = -1;
		for (i = 0; n >= 0 && i < POOL / PG; i++)
			n += mine[i] && child[i] != mine[i];
		_exit(write(pipefd[1], &n, sizeof(n)) == sizeof(n) ? 0 : 1);
	}
	close(pipefd[1]);
	if (pid < 0 || read(pipefd[0], &n, sizeof(n)) != sizeof(n))
		n = -1;
	if (pid > 0)
		waitpid(pid, NULL, 0);
	close(pipefd[0]);
	return n;
}

/*
 * Logs the pool's pinned pages once every request is complete.  An AIO
 * read's pages can be released by a work item after its completion was
 * reaped (bio_check_pages_dirty()), so a count is taken again for a while
 * before it is logged.
 */
static void log_pins(void)
{
	int n, tries;

	if (have_ring && io_uring_unregister_buffers(&ring))
		logf_("pins unregister failed");
	for (tries = 0; (n = pinned_pages()) != 0 && tries < 25; tries++)
		usleep(20000);
	logf_("pins pool=%d", n);
	if (have_ring && io_uring_register_buffers(&ring, &ring_buf, 1))
		have_ring = 0;
}

/* Run one program; returns 0 if it ran to its end, -errno if the set-up failed. */
static int run_program(unsigned long long seed, int nops, const char *keep)
{
	struct op *ops = calloc(nops, sizeof(*ops));
	struct statfs sfs;
	int i, r;

	if (!ops)
		return -ENOMEM;
	umount(mnt);	/* left mounted by a program whose remount failed */
	r = restore();
	if (!r)
		r = do_mount();
	if (r) {
		free(ops);
		return r;
	}
	if (statfs(mnt, &sfs) == 0 && sfs.f_bsize >= lbs)
		fsblk = (unsigned int)sfs.f_bsize;
	else
		fsblk = lbs;
	/* A cluster larger than 64 KiB is not a useful boundary for these lengths. */
	if (fsblk > 65536)
		fsblk = 65536;
	r = open_files();
	if (r) {
		umount(mnt);
		free(ops);
		return r;
	}
	gen(ops, nops, seed);
	logf_("program seed=%llu ops=%d lbs=%u blk=%u keep=%s", seed, nops, lbs, fsblk,
	      strcmp(keep, "all") == 0 ? "all" : "subset");
	for (i = 0; i < nops; i++) {
		struct op *op = &ops[i];
		unsigned long long key = seed << 20 ^ (unsigned long long)i;

		if (!keep_has(keep, i))
			continue;
		cur_op = i;
		switch (op->kind) {
		case K_AIO:
		case K_AIO_BATCH:
			run_aio(i, op, key);
			break;
		case K_URING:
		case K_URING_FIXED:
			run_uring(i, op, key);
			break;
		case K_MMAP_STORE: case K_TRUNCATE: case K_FALLOCATE: case K_FSYNC:
			run_other(i, op, key);
			break;
		case K_REMOUNT:
			if (remount(i)) {
				free(ops);
				return 0;	/* logged; the rest cannot run */
			}
			break;
		case K_CHECK:
			checkpoint(i);
			break;
		default:
			run_rw(i, op, key);
			break;
		}
	}
	checkpoint(nops);
	close_and_settle();
	log_pins();
	if (umount(mnt))
		logf_("final umount e=%d", errno);
	free(ops);
	return 0;
}

static int setup_memory(void)
{
	char *p;
	int fd;

	/* 2 MiB-aligned, so that a transparent huge page can back it where the kernel has them. */
	p = mmap(NULL, POOL + (2 << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	pool = (char *)(((uintptr_t)p + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
	madvise(pool, POOL, MADV_HUGEPAGE);
	memset(pool, 0, POOL);
	{
		char l[128];
		FILE *m = fopen("/proc/meminfo", "r");

		while (m && fgets(l, sizeof(l), m))
			if (strncmp(l, "AnonHugePages:", 14) == 0)
				printf("# %s: buffers in huge pages: %s", label, l + 14);
		if (m)
			fclose(m);
	}
	fd = open("/tmp/dio_fuzz.shm", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, POOL))
		return -errno;
	spool = mmap(NULL, POOL, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (spool == MAP_FAILED)
		return -errno;
	if (syscall(SYS_io_setup, 64, &actx))
		return -errno;
	/* The main thread's file: no other thread makes calls that it counts. */
	if (faults) {
		struct sigaction sa = { .sa_handler = on_sigbus };

		if (sigaction(SIGBUS, &sa, NULL))
			return -errno;
		fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
		if (fail_nth_fd < 0)
			return -errno;
		slab_nosleep_fd = open("/sys/kernel/debug/failslab/ignore-gfp-wait", O_WRONLY);
		if (slab_nosleep_fd < 0)
			return -errno;
	}
	if (io_uring_queue_init(8, &ring, 0) == 0) {
		ring_buf.iov_base = pool;
		ring_buf.iov_len = POOL;
		have_ring = io_uring_register_buffers(&ring, &ring_buf, 1) == 0;
		if (!have_ring)
			io_uring_queue_exit(&ring);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *list = NULL;
	char line[65536], lab[64], keep[65000];
	int c, n = 0, failed = 0, id, nops, r;
	unsigned long long seed;
	FILE *f;

	memset(fds, -1, sizeof(fds));
	while ((c = getopt(argc, argv, "lFTd:t:m:L:b:p:f:")) != -1) {
		switch (c) {
		case 'l':
			logging = 1;
			break;
		case 'F':
			faults = 1;
			break;
		case 'T':
			marker_fd = open("/sys/kernel/tracing/trace_marker", O_WRONLY);
			if (marker_fd < 0) {
				perror("trace_marker");
				return 2;
			}
			break;
		case 'd':
			dev = optarg;
			break;
		case 't':
			fstype = optarg;
			break;
		case 'm':
			mnt = optarg;
			break;
		case 'L':
			label = optarg;
			break;
		case 'b':
			lbs = (unsigned int)atoi(optarg);
			break;
		case 'f':
			list = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (!dev || !fstype || !mnt || !label || !list || lbs < 512)
		goto usage;
	blocks_repeat = strcmp(fstype, "reiserfs") != 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	f = fopen(list, "r");
	if (!f) {
		perror(list);
		return 2;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s", lab) == 1 && strcmp(lab, label) == 0)
			n++;
	printf("1..%d\n", n);
	r = setup_memory();
	if (!r)
		r = find_queue_dir();
	if (!r)
		r = load_image();
	if (r) {
		printf("# %s: set-up failed: %s\n", label, strerror(-r));
		return 2;
	}
	rewind(f);
	n = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %d %llu %d %64999s", lab, &id, &seed, &nops, keep) != 5 ||
		    strcmp(lab, label) != 0)
			continue;
		n++;
		cur_id = id;
		stale = stale_logged = 0;
		hash = 0xcbf29ce484222325ull;
		r = run_program(seed, nops, keep);
		if (r) {
			printf("not ok %d - fuzz:%s:%d # set-up failed: %s\n", n, label, id, strerror(-r));
			failed++;
			continue;
		}
		printf("ok %d - fuzz:%s:%d # hash=%016" PRIx64 " seed=%llu ops=%d stale=%d\n", n, label,
		       id, hash, seed, nops, stale);
	}
	fclose(f);
	printf("# fuzz:%s: %d cases, %d failed\n", label, n, failed);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-l] [-F] [-T] -d dev -t fstype -m mnt -L label -b lbs -f list\n",
		argv[0]);
	return 2;
}
