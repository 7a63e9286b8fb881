// SPDX-License-Identifier: GPL-2.0

//! Pure request-planning rules of the direct-I/O engine.
//!
//! Block arithmetic, chunking, coalescing and result precedence, free of
//! any kernel object so that KUnit can check them with exact values.
//! Row numbers (Fnn) refer to the engine's contract with 6.12's
//! `fs/direct-io.c`.
//!
//! The per-block arithmetic uses wrapping operations, which compile to the
//! bare instruction, where its bounds are known: shift counts are block-size
//! bits (9 to 16) or their difference, block numbers come from `get_block`
//! and wrap as C's `sector_t` does, and byte and block counts stay within one
//! request (`MAX_RW_COUNT`, bounded by `rw_verify_area()`) or one page.

/// `-EINVAL` and friends as plain numbers, for the pure rules.
pub(crate) const EFAULT: i32 = 14;
/// `-EIO`.
pub(crate) const EIO: i32 = 5;
/// `-EAGAIN`.
pub(crate) const EAGAIN: i32 = 11;
/// `-EIOCBQUEUED`.
pub(crate) const EIOCBQUEUED: i32 = 529;

/// F11: the dio block size bits for a request, or `None` for `-EINVAL`.
///
/// `align` is `pos | iov_iter_alignment(iter)`; the filesystem block size is
/// tried first, then the device's logical block size (if there is a device).
pub(crate) fn dio_blkbits(align: u64, i_blkbits: u32, lbs: Option<u32>) -> Option<u32> {
    if align & ((1u64 << i_blkbits) - 1) == 0 {
        return Some(i_blkbits);
    }
    let blkbits = lbs?.trailing_zeros();
    if blkbits > i_blkbits || align & ((1u64 << blkbits) - 1) != 0 {
        return None;
    }
    Some(blkbits)
}

/// F24: the `(fs_startblk, b_size)` to ask `get_block` for.
pub(crate) fn get_block_span(
    block_in_file: u64,
    final_block: u64,
    blkfactor: u32,
    i_blkbits: u32,
) -> (u64, usize) {
    // The caller maps only while block_in_file < final_block.
    let fs_start = block_in_file.wrapping_shr(blkfactor);
    let fs_end = final_block.wrapping_sub(1).wrapping_shr(blkfactor);
    let blocks = fs_end.wrapping_sub(fs_start).wrapping_add(1);
    (fs_start, blocks.wrapping_shl(i_blkbits) as usize)
}

/// F24: whether `get_block` may allocate.  With `DIO_SKIP_HOLES` nothing is
/// allocated inside `i_size`; writes past it may allocate.
pub(crate) fn get_block_create(
    is_write: bool,
    skip_holes: bool,
    i_size: i64,
    fs_start: u64,
    i_blkbits: u32,
) -> bool {
    if !is_write {
        return false;
    }
    !(skip_holes && i_size > 0 && fs_start <= ((i_size - 1) as u64) >> i_blkbits)
}

/// F27: dio blocks to put under I/O from this page piece.
pub(crate) fn chunk_blocks(
    blocks_available: u64,
    piece_bytes: usize,
    blkbits: u32,
    blocks_left: u64,
) -> u64 {
    blocks_available
        .min(piece_bytes.wrapping_shr(blkbits) as u64)
        .min(blocks_left)
}

/// F26: `(next_block_for_io, blocks_available)` after a mapping.
///
/// Returns `None` when a buggy `get_block` mapped less than the sub-block
/// remainder (C underflows silently there).
pub(crate) fn mapped_extent(
    b_blocknr: u64,
    b_size: usize,
    blkbits: u32,
    blkfactor: u32,
    block_in_file: u64,
    is_new: bool,
) -> Option<(u64, u64)> {
    let mut next = b_blocknr.wrapping_shl(blkfactor);
    let mut avail = b_size.wrapping_shr(blkbits) as u64;
    if blkfactor != 0 {
        let remainder = block_in_file & ((1u64 << blkfactor) - 1);
        if !is_new {
            next = next.wrapping_add(remainder);
        }
        avail = avail.checked_sub(remainder)?;
    }
    Some((next, avail))
}

/// F31: dio blocks of zeroes to write at the start (`end == false`) or end of
/// a newly allocated fs block.
#[inline]
pub(crate) fn zero_block_count(block_in_file: u64, blkfactor: u32, end: bool) -> u64 {
    if blkfactor == 0 {
        return 0;
    }
    // blkfactor is below 64: a filesystem block holds at most 2^7 dio blocks.
    let per_fs_block = 1u64.wrapping_shl(blkfactor);
    let partial = block_in_file & per_fs_block.wrapping_sub(1);
    if partial == 0 {
        0
    } else if end {
        // partial < per_fs_block: the mask above.
        per_fs_block.wrapping_sub(partial)
    } else {
        partial
    }
}

/// The page piece most recently queued (`cur_page` in C), without the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Piece {
    /// Offset of the piece in its page.
    pub(crate) offset: u32,
    /// Bytes in the piece.
    pub(crate) len: u32,
    /// First dio block on disk.
    pub(crate) block: u64,
}

/// F32: a new piece extends the current one if it continues it both in the
/// page and on disk (the caller checks it is the same page).
pub(crate) fn extends(cur: &Piece, offset: u32, block: u64, blkbits: u32) -> bool {
    cur.offset.wrapping_add(cur.len) == offset
        && cur
            .block
            .wrapping_add(u64::from(cur.len.wrapping_shr(blkbits)))
            == block
}

/// F35: the open bio must be submitted before a piece that is discontiguous on
/// disk or in the file.
pub(crate) fn bio_discontiguous(
    final_block_in_bio: u64,
    piece_block: u64,
    piece_fs_offset: i64,
    bio_fs_offset: i64,
    bio_size: u32,
) -> bool {
    final_block_in_bio != piece_block
        || piece_fs_offset != bio_fs_offset.wrapping_add(i64::from(bio_size))
}

/// F36: `bio_max_segs(pages_in_io)`, or `None` where C would `BUG()`.
pub(crate) fn bio_vecs(pages_in_io: i64) -> Option<u16> {
    if pages_in_io <= 0 {
        return None;
    }
    Some(pages_in_io.min(256) as u16)
}

/// F41: the errno a failed bio reports.
pub(crate) fn bio_error(status: u8, sts_again: u8, nowait: bool) -> i32 {
    if status == sts_again && nowait {
        -EAGAIN
    } else {
        -EIO
    }
}

/// F46: whether the submitter returns `-EIOCBQUEUED` and leaves the bios in flight.
pub(crate) fn queue_async(
    is_async: bool,
    retval: isize,
    result: isize,
    is_write: bool,
    count: usize,
) -> bool {
    is_async && retval == 0 && result != 0 && (!is_write || result as usize == count)
}

/// F44: whether the final async completion must run in the dio workqueue.
pub(crate) fn defer_async_completion(
    result: isize,
    defer: bool,
    is_write: bool,
    cached_pages: bool,
) -> bool {
    result != 0 && (defer || (is_write && cached_pages))
}

/// Inputs of `dio_complete()`'s result rules.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Outcome {
    /// Submission status (`-EIOCBQUEUED` allowed).
    pub(crate) ret: isize,
    /// Bytes mapped and put under I/O or zero-filled.
    pub(crate) result: isize,
    /// Read, not write.
    pub(crate) is_read: bool,
    /// `ki_pos` of the request.
    pub(crate) offset: i64,
    /// `i_size` sampled at submission.
    pub(crate) i_size: i64,
    /// First page extraction error.
    pub(crate) page_errors: i32,
    /// Last bio error.
    pub(crate) io_error: i32,
}

/// Which value became a completed request's result, in the order of
/// precedence of `dio_complete()`; the numbers are the `RUSTDIO_RESULT_*`
/// values that the `rustdio_dio_complete` tracepoint records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum ResultSource {
    /// The bytes transferred (no error).
    Bytes = 0,
    /// The submitter's error.
    Submit = 1,
    /// The first page extraction error.
    Page = 2,
    /// A bio error.
    Bio = 3,
    /// The filesystem's `end_io`.
    EndIo = 4,
    /// `generic_write_sync()` after an async write.
    Sync = 5,
}

/// F48-F50: `(return value, bytes transferred, where the value came from)` of
/// a completed request.
#[inline]
pub(crate) fn complete_result(o: Outcome) -> (isize, isize, ResultSource) {
    let mut ret = if o.ret == -(EIOCBQUEUED as isize) {
        0
    } else {
        o.ret
    };
    let mut transferred = 0;
    if o.result != 0 {
        transferred = o.result;
        if o.is_read && o.offset + transferred as i64 > o.i_size {
            transferred = (o.i_size - o.offset) as isize;
        }
        if ret == -(EFAULT as isize) && transferred != 0 {
            ret = 0;
        }
    }
    let mut source = ResultSource::Submit;
    if ret == 0 {
        ret = o.page_errors as isize;
        source = ResultSource::Page;
    }
    if ret == 0 {
        ret = o.io_error as isize;
        source = ResultSource::Bio;
    }
    if ret == 0 {
        ret = transferred;
        source = ResultSource::Bytes;
    }
    (ret, transferred, source)
}

/// KUnit cases, called from the C suite in `dio_kunit.c`.
#[cfg(CONFIG_LEGACY_DIRECT_IO_RUST_KUNIT_TEST)]
pub(crate) mod kunit_cases {
    #![allow(unreachable_pub)]
    use super::*;

    /// Hides a value from the optimiser, so that each case runs the compiled
    /// rule on run-time inputs instead of a value folded at build time.
    fn bb<T>(x: T) -> T {
        core::hint::black_box(x)
    }

    macro_rules! expect_eq {
        ($a:expr, $b:expr) => {
            kernel::kunit_assert_eq!("rustdio", "dio_plan.rs", 0, $a, $b)
        };
    }

    /// F11.
    #[no_mangle]
    pub(crate) extern "C" fn rustdio_kunit_alignment() {
        expect_eq!(
            dio_blkbits(bb(4096 | 8192), bb(12), bb(Some(512))),
            Some(12)
        );
        expect_eq!(dio_blkbits(bb(512), bb(12), bb(Some(512))), Some(9));
        expect_eq!(dio_blkbits(bb(512), bb(12), bb(Some(4096))), None);
        expect_eq!(dio_blkbits(bb(512), bb(12), bb(None)), None);
        expect_eq!(dio_blkbits(bb(1), bb(9), bb(Some(512))), None);
        expect_eq!(dio_blkbits(bb(0), bb(9), bb(None)), Some(9));
        expect_eq!(dio_blkbits(bb(1024 | 3584), bb(12), bb(Some(1024))), None);
    }

    /// F24.
    #[no_mangle]
    pub(crate) extern "C" fn rustdio_kunit_get_block_span() {
        // 4 KiB fs, 512-byte dio blocks: blocks 3..17 cover fs blocks 0..2.
        expect_eq!(get_block_span(bb(3), bb(17), bb(3), bb(12)), (0, 3 * 4096));
        expect_eq!(get_block_span(bb(8), bb(16), bb(3), bb(12)), (1, 4096));
        expect_eq!(get_block_span(bb(5), bb(6), bb(0), bb(9)), (5, 512));
        expect_eq!(
            get_block_create(bb(false), bb(true), bb(0), bb(0), bb(12)),
            false
        );
        expect_eq!(
            get_block_create(bb(true), bb(true), bb(0), bb(0), bb(12)),
            true
        );
        expect_eq!(
            get_block_create(bb(true), bb(true), bb(4096), bb(0), bb(12)),
            false
        );
        expect_eq!(
            get_block_create(bb(true), bb(true), bb(4096), bb(1), bb(12)),
            true
        );
        expect_eq!(
            get_block_create(bb(true), bb(true), bb(4097), bb(1), bb(12)),
            false
        );
        expect_eq!(
            get_block_create(bb(true), bb(false), bb(4097), bb(1), bb(12)),
            true
        );
    }

    /// F26 F27 F31.
    #[no_mangle]
    pub(crate) extern "C" fn rustdio_kunit_chunking() {
        expect_eq!(chunk_blocks(bb(100), bb(4096), bb(9), bb(1000)), 8);
        expect_eq!(chunk_blocks(bb(3), bb(4096), bb(9), bb(1000)), 3);
        expect_eq!(chunk_blocks(bb(100), bb(4096), bb(9), bb(2)), 2);
        expect_eq!(
            mapped_extent(bb(10), bb(8192), bb(9), bb(3), bb(3), bb(false)),
            Some((83, 13))
        );
        expect_eq!(
            mapped_extent(bb(10), bb(8192), bb(9), bb(3), bb(3), bb(true)),
            Some((80, 13))
        );
        expect_eq!(
            mapped_extent(bb(10), bb(1024), bb(9), bb(3), bb(3), bb(false)),
            None
        );
        expect_eq!(
            mapped_extent(bb(10), bb(8192), bb(12), bb(0), bb(3), bb(false)),
            Some((10, 2))
        );
        expect_eq!(zero_block_count(bb(3), bb(3), bb(false)), 3);
        expect_eq!(zero_block_count(bb(3), bb(3), bb(true)), 5);
        expect_eq!(zero_block_count(bb(8), bb(3), bb(true)), 0);
        expect_eq!(zero_block_count(bb(3), bb(0), bb(true)), 0);
    }

    /// F32 F35 F36.
    #[no_mangle]
    pub(crate) extern "C" fn rustdio_kunit_coalescing() {
        let cur = Piece {
            offset: 0,
            len: 1024,
            block: 40,
        };
        expect_eq!(extends(bb(&cur), bb(1024), bb(42), bb(9)), true);
        expect_eq!(extends(bb(&cur), bb(1024), bb(43), bb(9)), false);
        expect_eq!(extends(bb(&cur), bb(1536), bb(42), bb(9)), false);
        expect_eq!(
            bio_discontiguous(bb(50), bb(50), bb(8192), bb(4096), bb(4096)),
            false
        );
        expect_eq!(
            bio_discontiguous(bb(50), bb(51), bb(8192), bb(4096), bb(4096)),
            true
        );
        expect_eq!(
            bio_discontiguous(bb(50), bb(50), bb(12288), bb(4096), bb(4096)),
            true
        );
        expect_eq!(bio_vecs(bb(0)), None);
        expect_eq!(bio_vecs(bb(3)), Some(3));
        expect_eq!(bio_vecs(bb(1000)), Some(256));
    }

    /// F41 F44 F46.
    #[no_mangle]
    pub(crate) extern "C" fn rustdio_kunit_completion_choice() {
        expect_eq!(bio_error(bb(12), bb(12), bb(true)), -EAGAIN);
        expect_eq!(bio_error(bb(12), bb(12), bb(false)), -EIO);
        expect_eq!(bio_error(bb(10), bb(12), bb(true)), -EIO);
        expect_eq!(
            queue_async(bb(true), bb(0), bb(4096), bb(false), bb(8192)),
            true
        );
        expect_eq!(
            queue_async(bb(true), bb(0), bb(4096), bb(true), bb(8192)),
            false
        );
        expect_eq!(
            queue_async(bb(true), bb(0), bb(8192), bb(true), bb(8192)),
            true
        );
        expect_eq!(
            queue_async(bb(true), bb(0), bb(0), bb(false), bb(8192)),
            false
        );
        expect_eq!(
            queue_async(bb(false), bb(0), bb(8192), bb(true), bb(8192)),
            false
        );
        expect_eq!(
            queue_async(bb(true), bb(-5), bb(8192), bb(false), bb(8192)),
            false
        );
        expect_eq!(
            defer_async_completion(bb(4096), bb(false), bb(true), bb(true)),
            true
        );
        expect_eq!(
            defer_async_completion(bb(4096), bb(false), bb(true), bb(false)),
            false
        );
        expect_eq!(
            defer_async_completion(bb(4096), bb(false), bb(false), bb(true)),
            false
        );
        expect_eq!(
            defer_async_completion(bb(4096), bb(true), bb(false), bb(false)),
            true
        );
        expect_eq!(
            defer_async_completion(bb(0), bb(true), bb(true), bb(true)),
            false
        );
    }

    /// F48-F50.
    #[no_mangle]
    pub(crate) extern "C" fn rustdio_kunit_result_rules() {
        use ResultSource::{Bio, Bytes, Page, Submit};
        let base = Outcome {
            ret: 0,
            result: 8192,
            is_read: true,
            offset: 0,
            i_size: 10000,
            page_errors: 0,
            io_error: 0,
        };
        expect_eq!(complete_result(bb(base)), (8192, 8192, Bytes));
        expect_eq!(
            complete_result(bb(Outcome {
                result: 12288,
                ..base
            })),
            (10000, 10000, Bytes)
        );
        expect_eq!(
            complete_result(bb(Outcome {
                ret: -(EIOCBQUEUED as isize),
                ..base
            })),
            (8192, 8192, Bytes)
        );
        expect_eq!(
            complete_result(bb(Outcome {
                ret: -(EFAULT as isize),
                result: 4096,
                ..base
            })),
            (4096, 4096, Bytes)
        );
        expect_eq!(
            complete_result(bb(Outcome {
                ret: -(EFAULT as isize),
                result: 0,
                ..base
            })),
            (-14, 0, Submit)
        );
        expect_eq!(
            complete_result(bb(Outcome {
                io_error: -EIO,
                ..base
            })),
            (-5, 8192, Bio)
        );
        let write = Outcome {
            is_read: false,
            i_size: 0,
            ..base
        };
        expect_eq!(complete_result(bb(write)), (8192, 8192, Bytes));
        expect_eq!(
            complete_result(bb(Outcome {
                page_errors: -EFAULT,
                io_error: -EIO,
                ..write
            })),
            (-14, 8192, Page)
        );
        expect_eq!(
            complete_result(bb(Outcome {
                ret: -28,
                page_errors: -EFAULT,
                ..write
            })),
            (-28, 8192, Submit)
        );
    }
}
