// SPDX-License-Identifier: GPL-2.0
/*
 * dio_loop <file> <r|w> <n> <bs>: n O_DIRECT preads or pwrites of bs bytes at
 * pseudo-random bs-aligned offsets of a 24 MiB file, the same on every run.
 * The request stream of scripts/insn-count.sh: one system call per request
 * and nothing else, so the kernel's instructions per request can be counted.
 */

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int mode, n, bs, fd;
	void *buf;
	unsigned int s = 42;

	if (argc != 5) {
		fprintf(stderr, "usage: dio_loop <file> <r|w> <n> <bs>\n");
		return 2;
	}
	mode = argv[2][0];
	n = atoi(argv[3]);
	bs = atoi(argv[4]);
	fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0 || posix_memalign(&buf, 4096, 1 << 20)) {
		perror("open");
		return 1;
	}
	memset(buf, 'x', 1 << 20);
	for (int i = 0; i < n; i++) {
		off_t off;
		ssize_t r;

		s = s * 1103515245 + 12345;
		off = (off_t)((s >> 8) % ((24 << 20) / bs)) * bs;
		r = mode == 'r' ? pread(fd, buf, bs, off) : pwrite(fd, buf, bs, off);
		if (r != bs) {
			perror("io");
			return 1;
		}
	}
	return 0;
}
