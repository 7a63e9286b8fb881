// SPDX-License-Identifier: GPL-2.0

//! Submission: entry checks, page queue, `get_block` mapping, bio assembly.

use crate::c_types::{
    self, bdev_logical_block_size, task_io_account_write, unpin_pages, with_plug, BioBuilder,
    GetBlock, Inode, IovIter, Kiocb, PageRef, PAGE_SIZE,
};
use crate::dio_complete::{await_and_release, dio_complete, reap_completed, COMPLETE_INVALIDATE};
use crate::dio_plan::{self, Piece};
use crate::{
    dio_bio_end_aio, dio_bio_end_io, Dio, DioParams, DioRef, SubmitScratch, DIO_LOCKING,
    DIO_SKIP_HOLES,
};
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};
use kernel::bindings;
use kernel::error::code::{EINVAL, EIO, ENOMEM};
use kernel::error::Error;

/// Why submission stopped: a negative errno, or a positive value returned by
/// `get_block`, which C passes back to the caller of `__blockdev_direct_IO()`
/// unchanged, and so does this engine.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stop(i32);

impl Stop {
    /// `-EIO`.  A constant rather than `Stop::from(EIO)`, which calls
    /// `Error::to_errno()`: in `ok_or()` that call would run on every page.
    const EIO: Self = Self(-(bindings::EIO as i32));
    /// `-ENOTBLK`: fall back to buffered I/O (F29).
    const ENOTBLK: Self = Self(-(bindings::ENOTBLK as i32));
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Self(e.to_errno())
    }
}

type Result<T = ()> = core::result::Result<T, Stop>;

/// Reap completed bios every this many new bios (F38).
const REAP_INTERVAL: u32 = 64;

/// Which pin keeps the pending piece's page in memory.
///
/// C takes a pin for `cur_page`, another for the bio, then drops the first and
/// the page's extraction pin: four atomic updates per page.  Here one pin moves
/// along instead; each page piece in a bio still carries exactly one pin, which
/// bio completion releases (F08, F30, F37).
#[derive(Clone, Copy, PartialEq, Eq)]
enum CurPin {
    /// The extraction pin of the page being walked, still the walk's to drop.
    Walk,
    /// A pin of the piece's own, given to the bio when the piece is added.
    Own,
    /// None: the piece's pin went to a bio.
    Sent,
}

/// The page piece waiting to be added to a bio (`cur_page` in C).
struct CurPage {
    page: PageRef,
    piece: Piece,
    fs_offset: i64,
    pin: CurPin,
}

/// Submission-only state (`struct dio_submit`), on the submitter's stack.
struct DioSubmit<'a> {
    dio: &'a Dio,
    iter: &'a mut IovIter,
    get_block: GetBlock,
    bio: Option<BioBuilder>,
    blkbits: u32,
    blkfactor: u32,
    start_zero_done: bool,
    pages_in_io: i64,
    block_in_file: u64,
    blocks_available: u64,
    reap_counter: u32,
    final_block_in_request: u64,
    boundary: bool,
    logical_offset_in_bio: i64,
    final_block_in_bio: u64,
    next_block_for_io: u64,
    cur: Option<CurPage>,
    /// No bio submitted yet: the request still holds a reference for the first.
    first_bio_unsent: bool,
    /// Bytes queued for writing, accounted to the task once per request.
    write_bytes: usize,
    /// Page queue and buffer head, kept in the slab object.
    s: &'a mut SubmitScratch,
}

/// Reports a state that C treats as `BUG()` and evaluates to the error that fails
/// the request: a `WARN` (stack trace, taint, `panic_on_warn`) once per call site,
/// so that a second, different break still shows.
macro_rules! invariant_broken {
    ($what:literal) => {{
        static WARNED: AtomicBool = AtomicBool::new(false);
        if !WARNED.swap(true, Relaxed) {
            crate::c_types::warn_invariant(kernel::c_str!($what));
        }
        Stop::EIO
    }};
}

/// `Err` where a former `BUG()` condition holds (`$ok` is false), reported as
/// [`invariant_broken!`] does, or where the test hook forces site `$site`
/// (CONFIG_LEGACY_DIRECT_IO_RUST_FORCE_INVARIANT; no warning then).
macro_rules! check_invariant {
    ($site:literal, $ok:expr, $what:literal) => {
        if !($ok) {
            Err(invariant_broken!($what))
        } else if c_types::invariant_forced($site) {
            Err(Stop::EIO)
        } else {
            Ok(())
        }
    };
}

impl<'a> DioSubmit<'a> {
    /// The filesystem's block size bits (`blkbits + blkfactor`, at most 16).
    #[inline]
    fn i_blkbits(&self) -> u32 {
        self.blkbits.wrapping_add(self.blkfactor)
    }

    fn pages_present(&self) -> usize {
        // head <= tail: a refill sets both, and head moves past a page only
        // after get_page() found one there.
        self.s.tail.wrapping_sub(self.s.head)
    }

    /// `dio_refill_pages()` (F19, F21).
    fn refill_pages(&mut self) -> Result {
        match self.iter.extract_pages(&mut self.s.pages) {
            Ok((bytes, from)) => {
                // At most the request's count plus an offset inside a page.
                let end = bytes.wrapping_add(from);
                self.s.from = from;
                self.s.head = 0;
                self.s.tail = end.div_ceil(PAGE_SIZE);
                self.s.to = ((end.wrapping_sub(1)) & (PAGE_SIZE - 1)) + 1;
                Ok(())
            }
            Err(e) if self.blocks_available != 0 && self.dio.params.is_write => {
                // A fault with mapped blocks outstanding: write zeroes into them
                // rather than leave stale data in the file (F21).
                let _ = self
                    .dio
                    .page_errors
                    .compare_exchange(0, e.to_errno(), Relaxed, Relaxed);
                self.s.pages.set_zero_page();
                self.s.head = 0;
                self.s.tail = 1;
                self.s.from = 0;
                self.s.to = PAGE_SIZE;
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// `dio->result += bytes`.  Only the submitter writes `result` while bios are
    /// being issued, so a plain load and store suffice (no locked instruction).
    #[inline]
    fn add_result(&self, bytes: isize) {
        // At most the request's count, which rw_verify_area() bounded.
        let result = self.dio.result.load(Relaxed);
        self.dio.result.store(result.wrapping_add(bytes), Relaxed);
    }

    /// Counts zero-filled bytes for the completion tracepoint; only the
    /// submitter writes the count, as for `result`.
    #[inline]
    fn add_zeroed(&self, bytes: usize) {
        let zeroed = self.dio.zeroed.load(Relaxed);
        self.dio.zeroed.store(zeroed.wrapping_add(bytes), Relaxed);
    }

    /// `dio_get_page()`.
    #[inline]
    fn get_page(&mut self) -> Result<PageRef> {
        if self.pages_present() == 0 {
            self.refill_pages()?;
            check_invariant!(
                1,
                self.pages_present() != 0,
                "no pages after a successful refill"
            )?;
        }
        let Some(page) = self.s.pages.get(self.s.head) else {
            return Err(invariant_broken!("page queue index out of range"));
        };
        if c_types::invariant_forced(2) {
            return Err(Stop::EIO);
        }
        Ok(page)
    }

    #[inline]
    fn pin(&self, page: PageRef) {
        if self.dio.params.is_pinned {
            page.add_pin();
        }
    }

    #[inline]
    fn unpin(&self, page: PageRef) {
        if self.dio.params.is_pinned {
            page.unpin();
        }
    }

    /// `dio_cleanup()`: drop the extraction pins of pages never walked.
    #[inline]
    fn cleanup(&mut self) {
        if self.dio.params.is_pinned {
            unpin_pages(self.s.pages.range(self.s.head, self.s.tail));
        }
        self.s.head = self.s.tail;
    }

    /// `dio_bio_submit()` (F39).
    #[inline]
    fn bio_submit(&mut self) {
        let Some(mut bio) = self.bio.take() else {
            return;
        };
        if self.first_bio_unsent {
            // The reference `DioRef::init()` holds for it.
            self.first_bio_unsent = false;
        } else {
            let mut state = self.dio.state.lock();
            // Wrapping, as the drops are: one per bio of the request.
            state.refcount = state.refcount.wrapping_add(1);
        }
        self.dio.count_bio();
        if self.dio.params.is_async && !self.dio.params.is_write && self.dio.params.should_dirty {
            bio.set_pages_dirty();
        }
        bio.submit(self.dio.as_private());
        self.boundary = false;
        self.logical_offset_in_bio = 0;
    }

    /// `dio_new_bio()` (F36, F38).
    #[inline(never)]
    fn new_bio(&mut self, start_block: u64) -> Result {
        self.new_bio_inline(start_block)
    }

    /// `new_bio()`'s body, inlined into `add_cur_page_again()` so that the bio
    /// allocation there runs on one frame fewer.
    #[inline(always)]
    fn new_bio_inline(&mut self, start_block: u64) -> Result {
        self.bio_reap()?;
        let Some(nr_vecs) = dio_plan::bio_vecs(self.pages_in_io) else {
            return Err(invariant_broken!("no pages left for a bio"));
        };
        if c_types::invariant_forced(3) {
            return Err(Stop::EIO);
        }
        let end_io: c_types::BioEndIo = if self.dio.params.is_async {
            dio_bio_end_aio
        } else {
            dio_bio_end_io
        };
        let bio = BioBuilder::alloc(
            self.s.map_bh.bdev(),
            nr_vecs,
            self.dio.params.opf,
            // blkbits is at least 9 (512-byte sectors); sector_t wraps in C.
            start_block.wrapping_shl(self.blkbits.wrapping_sub(9)),
            end_io,
            self.dio.params.is_pinned,
            self.dio.iocb().write_hint(),
        )
        .ok_or(ENOMEM)?;
        self.bio = Some(bio);
        self.logical_offset_in_bio = self.cur.as_ref().map_or(0, |c| c.fs_offset);
        self.boundary = false;
        Ok(())
    }

    /// `dio_bio_reap()`: complete finished bios of a huge synchronous request (F38).
    fn bio_reap(&mut self) -> Result {
        let count = self.reap_counter;
        self.reap_counter = count.wrapping_add(1);
        if count < REAP_INTERVAL {
            return Ok(());
        }
        self.reap_counter = 0;
        let err = reap_completed(self.dio);
        if err != 0 {
            return Err(Stop(err));
        }
        Ok(())
    }

    /// `dio_bio_add_page()` (F37): true if the current piece went into the bio.
    #[inline]
    fn bio_add_cur_page(&mut self) -> bool {
        let (Some(bio), Some(cur)) = (self.bio.as_mut(), self.cur.as_mut()) else {
            return false;
        };
        if !bio.add_page(cur.page, cur.piece.len, cur.piece.offset) {
            return false;
        }
        if cur.piece.len.wrapping_add(cur.piece.offset) == PAGE_SIZE as u32 {
            // Counted from the iterator's pages at the start: never below zero
            // here, and a wrong count only sizes a later bio.
            self.pages_in_io = self.pages_in_io.wrapping_sub(1);
        }
        let (page, block, len) = (cur.page, cur.piece.block, cur.piece.len);
        // The bio needs a pin of its own unless the piece hands over its own.
        let borrowed = cur.pin == CurPin::Walk;
        cur.pin = CurPin::Sent;
        if borrowed {
            self.pin(page);
        }
        // Block numbers come from get_block; wrapping, as C's sector_t arithmetic.
        self.final_block_in_bio = block.wrapping_add(u64::from(len.wrapping_shr(self.blkbits)));
        true
    }

    /// `dio_send_cur_page()` (F35, F37).
    #[inline]
    fn send_cur_page(&mut self) -> Result {
        let Some(cur) = self.cur.as_ref() else {
            return Ok(());
        };
        let (block, fs_offset) = (cur.piece.block, cur.fs_offset);
        if let Some(bio) = self.bio.as_ref() {
            if dio_plan::bio_discontiguous(
                self.final_block_in_bio,
                block,
                fs_offset,
                self.logical_offset_in_bio,
                bio.size(),
            ) {
                self.bio_submit();
            }
        }
        if self.bio.is_none() {
            self.new_bio(block)?;
        }
        // The test hook makes both adds fail, as a bio that takes nothing would.
        let forced = c_types::invariant_forced(4);
        if !forced && self.bio_add_cur_page() {
            return Ok(());
        }
        // The bio is full: send it and start another.  (An empty one that
        // refused the piece would refuse it again: it is never sent.)
        let full = self.bio.as_ref().is_some_and(|bio| bio.size() != 0);
        if full {
            self.bio_submit();
        }
        self.add_cur_page_again(full, block, forced)
    }

    /// The second try of `send_cur_page()`, after the full bio was sent:
    /// into a new bio.  Cold and out of line, with `new_bio()`'s body inlined:
    /// inlined itself, it made `send_cur_page()` keep three more values on
    /// the stack, and `submit_bio()` runs on top of that frame.
    #[cold]
    #[inline(never)]
    fn add_cur_page_again(&mut self, full: bool, block: u64, forced: bool) -> Result {
        if full {
            self.new_bio_inline(block)?;
        }
        if forced || !self.bio_add_cur_page() {
            // Never submit the empty bio: drop it, which frees it.
            self.bio = None;
            return Err(if forced {
                Stop::EIO
            } else {
                invariant_broken!("bio_add_page failed on an empty bio")
            });
        }
        Ok(())
    }

    /// Forgets the pending piece, dropping the pin it still owns.
    #[inline]
    fn drop_cur_page(&mut self) {
        if let Some(cur) = self.cur.take() {
            if cur.pin == CurPin::Own {
                self.unpin(cur.page);
            }
        }
    }

    /// Sends the pending piece and forgets it.
    #[inline]
    fn flush_cur_page(&mut self) -> Result {
        let ret = self.send_cur_page();
        self.drop_cur_page();
        ret
    }

    /// `submit_page_section()` (F32-F34); `pin` says which pin holds `page`.
    fn submit_page_section(
        &mut self,
        page: PageRef,
        offset: u32,
        len: u32,
        block: u64,
        pin: CurPin,
    ) -> Result {
        let boundary = self.boundary;
        if self.dio.params.is_write {
            // At most the request's count.
            self.write_bytes = self.write_bytes.wrapping_add(len as usize);
        }
        let extended = match self.cur.as_mut() {
            Some(cur)
                if cur.page == page
                    && dio_plan::extends(&cur.piece, offset, block, self.blkbits) =>
            {
                // Both pieces lie in one page.
                cur.piece.len = cur.piece.len.wrapping_add(len);
                true
            }
            _ => false,
        };
        if !extended {
            if self.cur.is_some() {
                self.flush_cur_page()?;
            }
            self.cur = Some(CurPage {
                page,
                piece: Piece { offset, len, block },
                fs_offset: self.block_in_file.wrapping_shl(self.blkbits) as i64,
                pin,
            });
        }
        if boundary {
            let ret = self.send_cur_page();
            if self.bio.is_some() {
                self.bio_submit();
            }
            self.drop_cur_page();
            return ret;
        }
        Ok(())
    }

    /// `dio_zero_block()` (F31).  The test is inline: only sub-block writes
    /// into new blocks get past it.
    #[inline(always)]
    fn zero_block(&mut self, end: bool) {
        self.start_zero_done = true;
        if self.blkfactor != 0 && self.s.map_bh.is_new() {
            self.zero_new_block_part(end);
        }
    }

    /// The body of `dio_zero_block()`: zero the part of a newly allocated
    /// filesystem block the request does not write.
    fn zero_new_block_part(&mut self, end: bool) {
        let blocks = dio_plan::zero_block_count(self.block_in_file, self.blkfactor, end);
        if blocks == 0 {
            return;
        }
        // The zero page is never pinned or unpinned, so the piece "owns" its pin.
        if self
            .submit_page_section(
                PageRef::zero(),
                0,
                self.blocks_to_bytes(blocks),
                self.next_block_for_io,
                CurPin::Own,
            )
            .is_err()
        {
            return;
        }
        self.next_block_for_io = self.next_block_for_io.wrapping_add(blocks);
        // Computed again rather than kept across the call: one register
        // fewer to save, as in C's frame.
        self.add_zeroed(self.blocks_to_bytes(blocks) as usize);
    }

    /// Bytes in `blocks` dio blocks of the zeroed part of a filesystem block:
    /// less than one filesystem block, so they fit in a page piece.
    #[inline(always)]
    fn blocks_to_bytes(&self, blocks: u64) -> u32 {
        blocks.wrapping_shl(self.blkbits) as u32
    }

    /// `get_more_blocks()` (F23-F25).
    fn get_more_blocks(&mut self) -> Result {
        let page_errors = self.dio.page_errors.load(Relaxed);
        if page_errors != 0 {
            return Err(Stop(page_errors));
        }
        check_invariant!(
            5,
            self.block_in_file < self.final_block_in_request,
            "mapping past the end of the request"
        )?;
        let inode = self.dio.inode();
        let i_blkbits = self.i_blkbits();
        let (fs_start, size) = dio_plan::get_block_span(
            self.block_in_file,
            self.final_block_in_request,
            self.blkfactor,
            i_blkbits,
        );
        let skip_holes = self.dio.params.flags & DIO_SKIP_HOLES != 0;
        let is_write = self.dio.params.is_write;
        let i_size = self.dio.params.i_size;
        let mut create =
            dio_plan::get_block_create(is_write, skip_holes, i_size, fs_start, i_blkbits);
        if create && skip_holes {
            // C reads i_size for every mapping.  A block inside the size read at
            // submission needs no second read: i_size does not shrink while the
            // writer holds i_rwsem (truncate takes it).  Past it, the size may
            // have grown since.
            create =
                dio_plan::get_block_create(is_write, skip_holes, inode.size(), fs_start, i_blkbits);
        }
        let ret = self
            .s
            .map_bh
            .get_block(self.get_block, inode, fs_start, size, create);
        self.dio.private.store(self.s.map_bh.private(), Relaxed);
        if ret != 0 {
            return Err(Stop(ret));
        }
        if self.s.map_bh.defer_completion() {
            self.dio.set_defer_completion()?;
        }
        Ok(())
    }

    /// The inner loop of `do_direct_IO()` for one page `[from, to)`.
    fn walk_page(&mut self, page: PageRef, mut from: usize, to: usize) -> Result<bool> {
        let blkbits = self.blkbits;
        let i_blkbits = self.i_blkbits();
        while from < to {
            if self.blocks_available == 0 {
                self.get_more_blocks()?;
                if self.s.map_bh.mapped() {
                    if self.s.map_bh.is_new() {
                        self.s.map_bh.clean_aliases(i_blkbits);
                    }
                    let extent = dio_plan::mapped_extent(
                        self.s.map_bh.blocknr(),
                        self.s.map_bh.size(),
                        blkbits,
                        self.blkfactor,
                        self.block_in_file,
                        self.s.map_bh.is_new(),
                    );
                    let ok = check_invariant!(
                        6,
                        extent.is_some(),
                        "get_block mapped less than the request's sub-block"
                    );
                    let Some((next, avail)) = extent.filter(|_| ok.is_ok()) else {
                        // Nothing may be zeroed through this mapping at the end
                        // of the request: its start block was never computed.
                        self.s.map_bh.forget();
                        return Err(Stop::EIO);
                    };
                    self.next_block_for_io = next;
                    self.blocks_available = avail;
                }
            }
            if !self.s.map_bh.mapped() {
                // Holes (F28, F29).
                if self.dio.params.is_write {
                    return Err(Stop::ENOTBLK);
                }
                let blocksize = 1u64 << blkbits;
                // ALIGN(i_size, blocksize) >> blkbits, wrapping as C's ALIGN().
                let i_size_blocks = ((self.dio.inode().size() as u64).wrapping_add(blocksize - 1)
                    & !(blocksize - 1))
                    >> blkbits;
                if self.block_in_file >= i_size_blocks {
                    return Ok(false);
                }
                page.zero_range(from as u32, blocksize as u32);
                self.block_in_file += 1;
                from += blocksize as usize;
                self.add_result(blocksize as isize);
                self.add_zeroed(blocksize as usize);
            } else {
                if self.blkfactor != 0 && !self.start_zero_done {
                    self.zero_block(false);
                }
                // from < to, and block_in_file < final_block_in_request
                // (checked at the end of every step).
                let chunk = dio_plan::chunk_blocks(
                    self.blocks_available,
                    to.wrapping_sub(from),
                    blkbits,
                    self.final_block_in_request.wrapping_sub(self.block_in_file),
                );
                check_invariant!(7, chunk != 0, "zero-length chunk")?;
                // The chunk fits in the page and in the mapped and requested blocks.
                let bytes = chunk.wrapping_shl(blkbits) as u32;
                if chunk == self.blocks_available {
                    self.boundary = self.s.map_bh.boundary();
                }
                self.submit_page_section(
                    page,
                    from as u32,
                    bytes,
                    self.next_block_for_io,
                    CurPin::Walk,
                )?;
                self.next_block_for_io = self.next_block_for_io.wrapping_add(chunk);
                self.block_in_file = self.block_in_file.wrapping_add(chunk);
                from = from.wrapping_add(bytes as usize);
                self.add_result(bytes as isize);
                self.blocks_available = self.blocks_available.wrapping_sub(chunk);
            }
            check_invariant!(
                8,
                self.block_in_file <= self.final_block_in_request,
                "walked past the end of the request"
            )?;
            if self.block_in_file == self.final_block_in_request {
                break;
            }
        }
        Ok(true)
    }

    /// `do_direct_IO()` (F23-F30).
    fn do_direct_io(&mut self) -> Result {
        while self.block_in_file < self.final_block_in_request {
            let page = self.get_page()?;
            let from = if self.s.head != 0 { 0 } else { self.s.from };
            // get_page() found head < tail, which bounds both sides.
            let head = self.s.head.wrapping_add(1);
            let to = if head == self.s.tail {
                self.s.to
            } else {
                PAGE_SIZE
            };
            self.s.head = head;
            let more = self.walk_page(page, from, to);
            // Drop the extraction pin of a walked page (F30), unless its last piece is
            // still pending and takes the pin over.
            match self.cur.as_mut() {
                Some(cur) if cur.pin == CurPin::Walk && cur.page == page => cur.pin = CurPin::Own,
                _ => self.unpin(page),
            }
            if !more? {
                break;
            }
        }
        Ok(())
    }
}

/// The body of `__blockdev_direct_IO()` (F07-F18, F40, F46, F47).
pub(crate) fn blockdev_direct_io(
    iocb: &Kiocb,
    inode: &Inode,
    bdev: *mut bindings::block_device,
    iter: &mut IovIter,
    get_block: GetBlock,
    end_io: bindings::dio_iodone_t,
    flags: i32,
) -> isize {
    let i_blkbits = inode.blkbits();
    let count = iter.count();
    let offset = iocb.pos();
    // No overflow: rw_verify_area() has checked that pos + count fits in loff_t
    // (and count <= MAX_RW_COUNT) on every path to the filesystem's direct_IO.
    let end = offset.wrapping_add(count as i64);
    let is_write = iter.is_write();

    // F07: zero-length reads return at once.
    if !is_write && count == 0 {
        return 0;
    }
    let Some(mem) = DioRef::alloc() else {
        return ENOMEM.to_errno() as isize;
    };
    let locking_read = flags & DIO_LOCKING != 0 && !is_write;
    let lock = locking_read.then(|| inode.lock());
    let fail = |ret: isize, lock| {
        drop(lock);
        DioRef::free_uninit(mem);
        ret
    };

    let i_size = inode.size();
    if !is_write && offset >= i_size {
        return fail(0, lock);
    }
    let align = offset as u64 | iter.alignment();
    let Some(blkbits) = dio_plan::dio_blkbits(align, i_blkbits, bdev_logical_block_size(bdev))
    else {
        return fail(EINVAL.to_errno() as isize, lock);
    };
    if locking_read {
        if let Err(e) = iocb.write_and_wait_range(offset, end - 1) {
            return fail(e.to_errno() as isize, lock);
        }
    }
    // i_size as read above: for a write nothing can change it in between, the
    // caller holds i_rwsem (C reads it again).
    let is_async = !(iocb.is_sync() || (is_write && end > i_size));
    let mut opf = if is_write {
        bindings::req_op_REQ_OP_WRITE | bindings::RUSTDIO_REQ_SYNC | bindings::RUSTDIO_REQ_IDLE
    } else {
        bindings::req_op_REQ_OP_READ
    };
    if is_write && iocb.nowait() {
        opf |= bindings::RUSTDIO_REQ_NOWAIT;
    }
    let is_pinned = iter.extract_will_pin();
    let params = DioParams {
        flags,
        is_write,
        opf,
        is_async,
        is_pinned,
        should_dirty: iter.user_backed() && !is_write,
        i_size,
        end_io,
    };
    let mut dio_ref = DioRef::init(mem, iocb, inode, params);
    let dio = dio_ref.get();

    // F15: async writes may need the completion workqueue.
    if is_async && is_write {
        let ret = if iocb.is_dsync() {
            dio.set_defer_completion()
        } else {
            inode.sb().init_dio_done_wq()
        };
        if let Err(e) = ret {
            drop(lock);
            dio_ref.free();
            return e.to_errno() as isize;
        }
    }

    c_types::trace_dio_begin(iocb, inode, count, is_write, is_async, flags);
    inode.dio_begin();
    let (dio, scratch) = dio_ref.split();
    let blkfactor = i_blkbits - blkbits;
    let mut sdio = DioSubmit {
        dio,
        iter,
        get_block,
        bio: None,
        blkbits,
        blkfactor,
        start_zero_done: false,
        pages_in_io: if blkfactor != 0 { 2 } else { 0 },
        block_in_file: (offset as u64) >> blkbits,
        blocks_available: 0,
        reap_counter: 0,
        final_block_in_request: (end as u64) >> blkbits,
        boundary: false,
        logical_offset_in_bio: 0,
        final_block_in_bio: u64::MAX,
        next_block_for_io: u64::MAX,
        cur: None,
        first_bio_unsent: true,
        write_bytes: 0,
        s: scratch,
    };
    sdio.pages_in_io += i64::from(sdio.iter.npages());

    let mut retval: isize = with_plug(|| {
        let mut retval = match sdio.do_direct_io() {
            Ok(()) => 0,
            Err(e) => {
                sdio.cleanup();
                // F29: -ENOTBLK hands the rest to buffered I/O.
                if e == Stop::ENOTBLK {
                    0
                } else {
                    e.0 as isize
                }
            }
        };
        sdio.zero_block(true);
        if sdio.cur.is_some() {
            let ret2 = sdio.flush_cur_page();
            if retval == 0 {
                if let Err(e) = ret2 {
                    retval = e.0 as isize;
                }
            }
        }
        sdio.bio_submit();
        retval
    });
    if sdio.write_bytes != 0 {
        task_io_account_write(sdio.write_bytes);
    }
    // F40: pages extracted but not used (EOF) are released.
    sdio.cleanup();
    drop(lock);

    let first_bio_unsent = sdio.first_bio_unsent;
    let queued = dio_plan::queue_async(is_async, retval, dio.result.load(Relaxed), is_write, count);
    let last = if queued {
        retval = -(dio_plan::EIOCBQUEUED as isize);
        dio_ref.release(first_bio_unsent)
    } else {
        await_and_release(dio_ref, first_bio_unsent)
    };
    match last {
        Some(last) if queued || !c_types::invariant_forced(9) => {
            dio_complete(last, retval, COMPLETE_INVALIDATE)
        }
        // The last bio completion now owns the request and frees it.
        None if queued => retval,
        left => {
            // C: BUG_ON(retval != -EIOCBQUEUED).  The count says bios of a
            // synchronous request are still in flight after the wait.  They point
            // at the request, so it cannot be freed; fail it, and end the inode's
            // direct I/O so that inode_dio_wait() (truncate) does not hang.  (The
            // test hook comes here with the last reference: it completes the
            // request as failed, so that the filesystem's end_io still runs.)
            match left {
                Some(last) => dio_complete(last, EIO.to_errno() as isize, COMPLETE_INVALIDATE),
                None => {
                    let err = invariant_broken!("request references left after a synchronous wait");
                    inode.dio_end();
                    err.0 as isize
                }
            }
        }
    }
}
