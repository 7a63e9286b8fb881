/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Extra headers for bindgen, included from the kernel's global bindgen header
 * when CONFIG_LEGACY_DIRECT_IO_RUST is set.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/buffer_head.h>
#include <linux/pagemap.h>
#include <linux/uio.h>
#include "rustdio.h"

/* Macros with casts that bindgen cannot evaluate. */
const blk_status_t RUST_CONST_HELPER_RUSTDIO_BLK_STS_AGAIN = BLK_STS_AGAIN;
const int RUST_CONST_HELPER_RUSTDIO_IOCB_NOWAIT = IOCB_NOWAIT;
const blk_opf_t RUST_CONST_HELPER_RUSTDIO_REQ_SYNC = REQ_SYNC;
const blk_opf_t RUST_CONST_HELPER_RUSTDIO_REQ_IDLE = REQ_IDLE;
const blk_opf_t RUST_CONST_HELPER_RUSTDIO_REQ_NOWAIT = REQ_NOWAIT;
