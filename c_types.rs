// SPDX-License-Identifier: GPL-2.0

//! Thin wrappers over the C types the direct-I/O engine works with.
//!
//! Every `unsafe` operation of the engine lives in this module.  The types
//! mirror the C names (`Kiocb`, `Inode`, `IovIter`, `Bio`, ...) so that they
//! could move to `rust/kernel/` unchanged.  Objects owned by C are borrowed
//! as `&T` for the duration of the `__blockdev_direct_IO()` call or of a
//! completion callback.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h),
//! [`include/linux/bio.h`](srctree/include/linux/bio.h),
//! [`include/linux/buffer_head.h`](srctree/include/linux/buffer_head.h),
//! [`include/linux/uio.h`](srctree/include/linux/uio.h).

use crate::dio_plan::ResultSource;
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ops::{Deref, DerefMut};
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};
use kernel::bindings;
use kernel::error::{to_result, Error, Result};
use kernel::types::Opaque;

/// Number of pages extracted from the iterator per refill (`DIO_PAGES`).
pub(crate) const DIO_PAGES: usize = 64;
/// `PAGE_SIZE`.
pub(crate) const PAGE_SIZE: usize = bindings::PAGE_SIZE;

/// Converts a negative errno stored in an `i32` into an [`Error`].
pub(crate) fn errno(err: i32) -> Error {
    Error::from_errno(err)
}

/// A `struct kiocb`.
#[repr(transparent)]
pub(crate) struct Kiocb(Opaque<bindings::kiocb>);

impl Kiocb {
    /// Borrows a kiocb.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct kiocb` that stays valid for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::kiocb) -> &'a Self {
        // SAFETY: `Kiocb` is a transparent wrapper and the caller guarantees validity.
        unsafe { &*ptr.cast() }
    }

    fn raw(&self) -> *mut bindings::kiocb {
        self.0.get()
    }

    /// `iocb->ki_pos`.
    pub(crate) fn pos(&self) -> i64 {
        // SAFETY: The kiocb is valid; the engine is the only user of `ki_pos` during the I/O.
        unsafe { (*self.raw()).ki_pos }
    }

    /// `iocb->ki_pos += n`, done by async completion only.
    pub(crate) fn advance_pos(&self, n: i64) {
        // SAFETY: As above; async completion owns the kiocb until `ki_complete`.
        unsafe { (*self.raw()).ki_pos += n };
    }

    /// `is_sync_kiocb()`.
    pub(crate) fn is_sync(&self) -> bool {
        // SAFETY: The kiocb is valid; `is_sync_kiocb()` is `!ki_complete`.
        unsafe { (*self.raw()).ki_complete.is_none() }
    }

    /// `iocb_is_dsync()`.
    pub(crate) fn is_dsync(&self) -> bool {
        // SAFETY: The kiocb is valid.
        unsafe { bindings::rustdio_iocb_is_dsync(self.raw()) }
    }

    /// `IOCB_NOWAIT` is set.
    pub(crate) fn nowait(&self) -> bool {
        // SAFETY: The kiocb is valid.
        unsafe { (*self.raw()).ki_flags & bindings::RUSTDIO_IOCB_NOWAIT != 0 }
    }

    /// `file_inode(iocb->ki_filp)->i_write_hint`.
    pub(crate) fn write_hint(&self) -> bindings::rw_hint {
        // SAFETY: An I/O kiocb has a valid file with a valid inode.
        unsafe { (*(*(*self.raw()).ki_filp).f_inode).i_write_hint }
    }

    /// `filemap_write_and_wait_range(iocb->ki_filp->f_mapping, start, end)`.
    pub(crate) fn write_and_wait_range(&self, start: i64, end: i64) -> Result {
        // SAFETY: An I/O kiocb has a valid file with a valid mapping.
        to_result(unsafe {
            bindings::filemap_write_and_wait_range((*(*self.raw()).ki_filp).f_mapping, start, end)
        })
    }

    /// `kiocb_invalidate_post_direct_write()`.
    pub(crate) fn invalidate_post_direct_write(&self, count: usize) {
        // SAFETY: The kiocb is valid and a direct write of `count` bytes completed.
        unsafe { bindings::kiocb_invalidate_post_direct_write(self.raw(), count) };
    }

    /// `generic_write_sync()`.
    pub(crate) fn write_sync(&self, count: isize) -> isize {
        // SAFETY: The kiocb is valid and `ki_pos` has been advanced past the write.
        unsafe { bindings::rustdio_generic_write_sync(self.raw(), count) }
    }

    /// `end_io(iocb, offset, ret, private)`, the filesystem's completion hook.
    pub(crate) fn call_end_io(
        &self,
        end_io: bindings::dio_iodone_t,
        offset: i64,
        ret: isize,
        private: *mut core::ffi::c_void,
    ) -> i32 {
        let Some(end_io) = end_io else { return 0 };
        // SAFETY: `end_io` and `private` come from the filesystem for this kiocb.
        unsafe { end_io(self.raw(), offset, ret, private) }
    }

    /// `iocb->ki_complete(iocb, ret)`: the async request is finished and the
    /// kiocb belongs to its owner again, who may free it at once; so it is
    /// reached through a raw pointer, with no `&Kiocb` live across the call.
    ///
    /// The request was made async because `ki_complete` was set; if its owner
    /// cleared it since, there is no one to tell (C would oops): warn.
    ///
    /// # Safety
    ///
    /// - `iocb` points to the valid kiocb of an async request that this call
    ///   completes, once.
    /// - The caller does not use `iocb` afterwards.
    pub(crate) unsafe fn complete(iocb: NonNull<bindings::kiocb>, ret: isize) {
        let raw = iocb.as_ptr();
        // SAFETY: The kiocb is valid until `ki_complete` is called (caller).
        match unsafe { (*raw).ki_complete } {
            // SAFETY: The owner's completion for this kiocb, called once (caller).
            Some(complete) => unsafe { complete(raw, ret as _) },
            None => warn_invariant(kernel::c_str!("async kiocb lost its ki_complete")),
        }
    }
}

/// A `struct inode`.
#[repr(transparent)]
pub(crate) struct Inode(Opaque<bindings::inode>);

impl Inode {
    /// Borrows an inode.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct inode` that stays valid for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::inode) -> &'a Self {
        // SAFETY: `Inode` is a transparent wrapper and the caller guarantees validity.
        unsafe { &*ptr.cast() }
    }

    pub(crate) fn raw(&self) -> *mut bindings::inode {
        self.0.get()
    }

    /// `READ_ONCE(inode->i_blkbits)`.
    pub(crate) fn blkbits(&self) -> u32 {
        // SAFETY: The inode is valid.
        unsafe { bindings::rustdio_i_blkbits(self.raw()) }
    }

    /// `i_size_read()`.
    pub(crate) fn size(&self) -> i64 {
        // SAFETY: The inode is valid.
        unsafe { bindings::rustdio_i_size_read(self.raw()) }
    }

    /// `inode_lock()`; the returned guard calls `inode_unlock()`.
    pub(crate) fn lock(&self) -> InodeLockGuard<'_> {
        // SAFETY: The inode is valid; `inode_lock()` is `down_write(&inode->i_rwsem)`.
        unsafe { bindings::down_write(ptr::addr_of_mut!((*self.raw()).i_rwsem)) };
        InodeLockGuard(self)
    }

    /// `inode_dio_begin()`.
    pub(crate) fn dio_begin(&self) {
        // SAFETY: The inode is valid.
        unsafe { bindings::rustdio_inode_dio_begin(self.raw()) };
    }

    /// `inode_dio_end()`: wakes `inode_dio_wait()` callers at zero.
    pub(crate) fn dio_end(&self) {
        // SAFETY: The inode is valid.
        unsafe { bindings::rustdio_inode_dio_end(self.raw()) };
    }

    /// `inode->i_mapping->nrpages != 0`.
    pub(crate) fn has_cached_pages(&self) -> bool {
        // SAFETY: The inode and its mapping are valid.
        unsafe { bindings::rustdio_mapping_has_pages(self.raw()) }
    }

    /// `inode->i_sb`.
    pub(crate) fn sb(&self) -> &SuperBlock {
        // SAFETY: An inode's superblock outlives it.
        unsafe { SuperBlock::from_raw((*self.raw()).i_sb) }
    }
}

/// Holds `inode_lock()` until dropped.
pub(crate) struct InodeLockGuard<'a>(&'a Inode);

impl Drop for InodeLockGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: The guard exists only while `i_rwsem` is held for writing.
        unsafe { bindings::up_write(ptr::addr_of_mut!((*self.0.raw()).i_rwsem)) };
    }
}

/// A `struct super_block`.
#[repr(transparent)]
pub(crate) struct SuperBlock(Opaque<bindings::super_block>);

impl SuperBlock {
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct super_block` that stays valid for `'a`.
    unsafe fn from_raw<'a>(ptr: *mut bindings::super_block) -> &'a Self {
        // SAFETY: Transparent wrapper; the caller guarantees validity.
        unsafe { &*ptr.cast() }
    }

    fn dio_done_wq(&self) -> *mut bindings::workqueue_struct {
        // SAFETY: The superblock is valid; the pointer is set once with cmpxchg.
        unsafe { bindings::rustdio_dio_done_wq(self.0.get()) }
    }

    /// Creates `sb->s_dio_done_wq` if it does not exist yet (`sb_init_dio_done_wq()`).
    pub(crate) fn init_dio_done_wq(&self) -> Result {
        if !self.dio_done_wq().is_null() {
            return Ok(());
        }
        // SAFETY: The superblock is valid and mounted.
        to_result(unsafe { bindings::sb_init_dio_done_wq(self.0.get()) })
    }
}

/// A `struct iov_iter`, borrowed mutably for the submission.
#[repr(transparent)]
pub(crate) struct IovIter(Opaque<bindings::iov_iter>);

impl IovIter {
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct iov_iter` not used by others for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::iov_iter) -> &'a mut Self {
        // SAFETY: Transparent wrapper; the caller guarantees validity and exclusivity.
        unsafe { &mut *ptr.cast() }
    }

    fn raw(&self) -> *mut bindings::iov_iter {
        self.0.get()
    }

    /// `iov_iter_rw(iter) == WRITE`.
    pub(crate) fn is_write(&self) -> bool {
        // SAFETY: The iterator is valid; `iov_iter_rw()` is `data_source`.
        unsafe { (*self.raw()).data_source }
    }

    /// `iov_iter_count()`.
    pub(crate) fn count(&self) -> usize {
        // SAFETY: The iterator is valid; every iterator type keeps `count` here.
        unsafe {
            (*self.raw())
                .__bindgen_anon_1
                .__bindgen_anon_1
                .as_ref()
                .count
        }
    }

    /// `iov_iter_alignment()`: OR of every segment's address and length.
    pub(crate) fn alignment(&self) -> u64 {
        // SAFETY: The iterator is valid.
        let align = unsafe { bindings::iov_iter_alignment(self.raw()) };
        align as u64
    }

    /// `iov_iter_npages(iter, INT_MAX)`.
    pub(crate) fn npages(&self) -> i32 {
        // SAFETY: The iterator is valid.
        unsafe { bindings::iov_iter_npages(self.raw(), i32::MAX) }
    }

    /// `iov_iter_extract_will_pin()`: user-backed iterators are pinned.
    pub(crate) fn extract_will_pin(&self) -> bool {
        self.user_backed()
    }

    /// `user_backed_iter()`.
    pub(crate) fn user_backed(&self) -> bool {
        // SAFETY: The iterator is valid.
        let iter_type = u32::from(unsafe { (*self.raw()).iter_type });
        iter_type == bindings::iter_type_ITER_UBUF || iter_type == bindings::iter_type_ITER_IOVEC
    }

    /// `iov_iter_extract_pages()` of up to [`DIO_PAGES`] pages into `batch`.
    ///
    /// Returns the number of bytes extracted and the offset into the first page.
    pub(crate) fn extract_pages(&mut self, batch: &mut PageBatch) -> Result<(usize, usize)> {
        let mut list = batch.pages.as_mut_ptr().cast::<*mut bindings::page>();
        let mut from = 0usize;
        batch.len = 0;
        // SAFETY: `MaybeUninit<PageRef>` has the layout of a page pointer and `list` has
        // room for `DIO_PAGES` entries, so the callee fills at most that many, and it
        // never replaces `list` since it is non-NULL.
        let ret = unsafe {
            bindings::iov_iter_extract_pages(
                self.raw(),
                &mut list,
                isize::MAX as usize,
                DIO_PAGES as u32,
                0,
                &mut from,
            )
        };
        if ret < 0 {
            return Err(errno(ret as i32));
        }
        // INVARIANT: the callee wrote one non-NULL page per started page.
        // At most DIO_PAGES pages' worth, starting inside the first page.
        batch.len = (ret as usize)
            .wrapping_add(from)
            .div_ceil(PAGE_SIZE)
            .min(DIO_PAGES);
        Ok((ret as usize, from))
    }
}

/// Up to [`DIO_PAGES`] pages extracted from an iterator (the C engine's
/// `dio->pages[]`), left uninitialised beyond what extraction filled.
///
/// # Invariants
///
/// `pages[..len]` are initialised.
pub(crate) struct PageBatch {
    pages: [MaybeUninit<PageRef>; DIO_PAGES],
    len: usize,
}

impl PageBatch {
    /// Makes the batch at `batch` empty, leaving its page slots uninitialised.
    ///
    /// The batch lives in the `dio` slab object, as `dio->pages[]` does in C,
    /// and is set up in place: it is too large for the submitter's stack.
    ///
    /// # Safety
    ///
    /// `batch` is valid for writes and suitably aligned.
    pub(crate) unsafe fn init_in_place(batch: *mut Self) {
        // SAFETY: Guaranteed by the caller; `len` is a plain integer.
        unsafe { ptr::addr_of_mut!((*batch).len).write(0) };
    }

    /// Page `i`, if extraction filled it.
    pub(crate) fn get(&self, i: usize) -> Option<PageRef> {
        if i >= self.len {
            return None;
        }
        // SAFETY: `pages[..len]` are initialised (type invariant).
        Some(unsafe { self.pages[i].assume_init() })
    }

    /// Pages `start..end` (clamped to what was filled).
    pub(crate) fn range(&self, start: usize, end: usize) -> &[PageRef] {
        let end = end.min(self.len);
        let start = start.min(end);
        // SAFETY: `pages[start..end]` are initialised and `MaybeUninit<PageRef>` has the
        // layout of `PageRef`.
        unsafe {
            core::slice::from_raw_parts(
                self.pages.as_ptr().add(start).cast::<PageRef>(),
                end - start,
            )
        }
    }

    /// Replaces the batch by the zero page alone (F21).
    pub(crate) fn set_zero_page(&mut self) {
        self.pages[0] = MaybeUninit::new(PageRef::zero());
        self.len = 1;
    }
}

/// A page of a direct-I/O buffer (or the zero page), by pointer.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageRef(NonNull<bindings::page>);

// SAFETY: A page pointer may be used from any thread; pins are per page, not per thread.
unsafe impl Send for PageRef {}

impl PageRef {
    /// `ZERO_PAGE(0)`.
    pub(crate) fn zero() -> Self {
        // SAFETY: `ZERO_PAGE(0)` is always a valid page.
        let page = unsafe { bindings::rustdio_zero_page() };
        // INVARIANT: `ZERO_PAGE(0)` is never NULL; fall back to dangling is unreachable.
        Self(NonNull::new(page).unwrap_or(NonNull::dangling()))
    }

    fn raw(self) -> *mut bindings::page {
        self.0.as_ptr()
    }

    /// `folio_add_pin(page_folio(page))`; no-op for the zero page.
    pub(crate) fn add_pin(self) {
        // SAFETY: The page is pinned by the extraction, so its folio is live.
        unsafe { bindings::rustdio_page_add_pin(self.raw()) };
    }

    /// `unpin_user_page()`; no-op for the zero page.
    pub(crate) fn unpin(self) {
        // SAFETY: The caller drops a pin it holds (engine invariant).
        unsafe { bindings::unpin_user_page(self.raw()) };
    }

    /// `zero_user(page, start, len)`.
    pub(crate) fn zero_range(self, start: u32, len: u32) {
        // SAFETY: The page is a live buffer page and `start + len <= PAGE_SIZE`.
        unsafe { bindings::rustdio_zero_user(self.raw(), start, len) };
    }
}

/// `unpin_user_pages()` on a slice of extracted pages.
pub(crate) fn unpin_pages(pages: &[PageRef]) {
    if pages.is_empty() {
        return;
    }
    // SAFETY: The pages hold one extraction pin each, which is dropped here.
    unsafe { bindings::unpin_user_pages(pages.as_ptr() as *mut *mut bindings::page, pages.len()) };
}

/// The `struct buffer_head` handed to `get_block` (on the stack in C).
pub(crate) struct MapBh {
    bh: bindings::buffer_head,
}

/// `get_block_t` as seen through bindgen.
pub(crate) type GetBlock = bindings::get_block_t;

impl MapBh {
    /// Zeroes the buffer head at `bh` in place, as `struct buffer_head map_bh
    /// = { 0, }` does.
    ///
    /// # Safety
    ///
    /// `bh` is valid for writes and suitably aligned.
    pub(crate) unsafe fn init_in_place(bh: *mut Self) {
        // SAFETY: Guaranteed by the caller; `buffer_head` is plain old data for which
        // all-zeroes is valid.
        unsafe { ptr::write_bytes(bh, 0, 1) };
    }

    /// Calls `get_block(inode, block, bh, create)` asking for `size` bytes and
    /// returns what it returned: 0, a negative errno, or (never in-tree) a
    /// positive value, which the request passes back to its caller as C does.
    ///
    /// `b_private`, `b_bdev` and `b_blocknr` persist across calls (F23).
    pub(crate) fn get_block(
        &mut self,
        get_block: GetBlock,
        inode: &Inode,
        block: u64,
        size: usize,
        create: bool,
    ) -> i32 {
        self.bh.b_state = 0;
        self.bh.b_size = size;
        let Some(get_block) = get_block else {
            return kernel::error::code::EINVAL.to_errno();
        };
        // SAFETY: `get_block` is the filesystem's mapping function for `inode`, and
        // `self.bh` is a valid buffer head owned by this call.
        unsafe { get_block(inode.raw(), block, &mut self.bh, i32::from(create)) }
    }

    /// Forgets the mapping (clears `b_state`): after a mapping the engine cannot
    /// use, nothing may be zeroed or written through it.
    pub(crate) fn forget(&mut self) {
        self.bh.b_state = 0;
    }

    fn test(&self, bit: u32) -> bool {
        self.bh.b_state & (1 << bit) != 0
    }

    /// `buffer_mapped()`.
    pub(crate) fn mapped(&self) -> bool {
        self.test(bindings::bh_state_bits_BH_Mapped)
    }

    /// `buffer_new()`.
    pub(crate) fn is_new(&self) -> bool {
        self.test(bindings::bh_state_bits_BH_New)
    }

    /// `buffer_boundary()`.
    pub(crate) fn boundary(&self) -> bool {
        self.test(bindings::bh_state_bits_BH_Boundary)
    }

    /// `buffer_defer_completion()`.
    pub(crate) fn defer_completion(&self) -> bool {
        self.test(bindings::bh_state_bits_BH_Defer_Completion)
    }

    /// `b_size`.
    pub(crate) fn size(&self) -> usize {
        self.bh.b_size
    }

    /// `b_blocknr`.
    pub(crate) fn blocknr(&self) -> u64 {
        self.bh.b_blocknr
    }

    /// `b_private`.
    pub(crate) fn private(&self) -> *mut core::ffi::c_void {
        self.bh.b_private
    }

    /// `b_bdev`: the device the mapped blocks live on.
    pub(crate) fn bdev(&self) -> *mut bindings::block_device {
        self.bh.b_bdev
    }

    /// `clean_bdev_aliases()` for freshly allocated blocks.
    pub(crate) fn clean_aliases(&self, i_blkbits: u32) {
        // SAFETY: The buffer head was just mapped by `get_block` onto `b_bdev`.
        unsafe {
            bindings::clean_bdev_aliases(
                self.bh.b_bdev,
                self.bh.b_blocknr,
                (self.bh.b_size >> i_blkbits) as u64,
            )
        };
    }
}

/// `bdev_logical_block_size()`.
pub(crate) fn bdev_logical_block_size(bdev: *mut bindings::block_device) -> Option<u32> {
    if bdev.is_null() {
        return None;
    }
    // SAFETY: A non-NULL `bdev` passed to `__blockdev_direct_IO()` is a live, open
    // block device, whose request queue lives as long as it does.
    Some(unsafe { (*(*bdev).bd_queue).limits.logical_block_size })
}

/// `task_io_account_write()`.
pub(crate) fn task_io_account_write(bytes: usize) {
    // SAFETY: Always safe in task context.
    unsafe { bindings::rustdio_task_io_account_write(bytes) };
}

/// `blk_start_plug()` .. `blk_finish_plug()` around `f`.
pub(crate) fn with_plug<R>(f: impl FnOnce() -> R) -> R {
    let mut plug = MaybeUninit::<bindings::blk_plug>::uninit();
    // SAFETY: `plug` stays in place until `blk_finish_plug()` below.
    unsafe { bindings::blk_start_plug(plug.as_mut_ptr()) };
    let ret = f();
    // SAFETY: `plug` was started above on this task.
    unsafe { bindings::blk_finish_plug(plug.as_mut_ptr()) };
    ret
}

/// Completion callback type for bios.
pub(crate) type BioEndIo = unsafe extern "C" fn(*mut bindings::bio);

/// An owned `struct bio` under assembly (not yet submitted).
pub(crate) struct BioBuilder(NonNull<bindings::bio>);

impl BioBuilder {
    /// `bio_alloc()` plus the fields `dio_bio_alloc()` sets.  Cannot fail: `bio_alloc`
    /// with `GFP_KERNEL` draws on the `fs_bio_set` mempool.
    pub(crate) fn alloc(
        bdev: *mut bindings::block_device,
        nr_vecs: u16,
        opf: u32,
        sector: u64,
        end_io: BioEndIo,
        pinned: bool,
        write_hint: bindings::rw_hint,
    ) -> Option<Self> {
        // SAFETY: `bdev` is the device `get_block` mapped the blocks on; `fs_bio_set` is
        // the static bio set `bio_alloc()` draws on.
        let bio = NonNull::new(unsafe {
            bindings::bio_alloc_bioset(
                bdev,
                nr_vecs,
                opf,
                bindings::GFP_KERNEL,
                ptr::addr_of_mut!(bindings::fs_bio_set),
            )
        })?;
        let raw = bio.as_ptr();
        // SAFETY: `bio` was just allocated and is exclusively ours.
        unsafe {
            (*raw).bi_iter.bi_sector = sector;
            (*raw).bi_end_io = Some(end_io);
            if pinned {
                (*raw).bi_flags |= 1 << bindings::BIO_PAGE_PINNED;
            }
            (*raw).bi_write_hint = write_hint;
        }
        Some(Self(bio))
    }

    /// `bio_add_page()`; returns whether the whole range was added.
    pub(crate) fn add_page(&mut self, page: PageRef, len: u32, offset: u32) -> bool {
        // SAFETY: The bio is ours and not submitted; `page` is pinned or the zero page.
        unsafe { bindings::bio_add_page(self.0.as_ptr(), page.raw(), len, offset) as u32 == len }
    }

    /// `bio->bi_iter.bi_size`.
    pub(crate) fn size(&self) -> u32 {
        // SAFETY: The bio is ours.
        unsafe { (*self.0.as_ptr()).bi_iter.bi_size }
    }

    /// `bio_set_pages_dirty()`, before an async read is submitted.
    pub(crate) fn set_pages_dirty(&mut self) {
        // SAFETY: The bio is ours and holds pinned user pages.
        unsafe { bindings::bio_set_pages_dirty(self.0.as_ptr()) };
    }

    /// Sets `bi_private` and calls `submit_bio()`; ownership passes to the block layer.
    pub(crate) fn submit(self, private: *mut core::ffi::c_void) {
        let raw = self.0.as_ptr();
        core::mem::forget(self);
        // SAFETY: The bio is fully built; after `submit_bio` it belongs to the block layer
        // and comes back through `bi_end_io`.
        unsafe {
            (*raw).bi_private = private;
            bindings::submit_bio(raw);
        }
    }
}

impl Drop for BioBuilder {
    /// A bio abandoned before submission (a failed request): its page pins go
    /// back, as at completion, and the bio is freed.
    fn drop(&mut self) {
        DoneBio(self.0).release(false);
    }
}

/// A completed bio, handed back by `bi_end_io` or popped from the completion list.
pub(crate) struct DoneBio(NonNull<bindings::bio>);

// SAFETY: A completed bio is owned by whoever holds this handle.
unsafe impl Send for DoneBio {}

impl DoneBio {
    /// # Safety
    ///
    /// `bio` must be a completed bio of this engine, owned by the caller.
    pub(crate) unsafe fn from_raw(bio: *mut bindings::bio) -> Option<Self> {
        NonNull::new(bio).map(Self)
    }

    /// `bio->bi_private`.
    pub(crate) fn private(&self) -> *mut core::ffi::c_void {
        // SAFETY: The bio is ours.
        unsafe { (*self.0.as_ptr()).bi_private }
    }

    /// Links this bio in front of `next` through `bi_private` (the C list idiom).
    pub(crate) fn relink(self, next: Option<DoneBio>) -> DoneBio {
        let next = next.map_or(ptr::null_mut(), |b| b.0.as_ptr());
        // SAFETY: The bio is ours; `bi_private` is free once it completed.
        unsafe { (*self.0.as_ptr()).bi_private = next.cast() };
        self
    }

    /// Detaches the rest of a list built by [`DoneBio::relink`].
    pub(crate) fn unlink_next(&self) -> Option<DoneBio> {
        let next = self.private().cast::<bindings::bio>();
        // SAFETY: The list holds completed bios owned by the request.
        unsafe { (*self.0.as_ptr()).bi_private = ptr::null_mut() };
        NonNull::new(next).map(DoneBio)
    }

    /// `bio->bi_status`.
    pub(crate) fn status(&self) -> u8 {
        // SAFETY: The bio is ours and completed.
        unsafe { (*self.0.as_ptr()).bi_status }
    }

    /// `bio->bi_opf & REQ_NOWAIT`.
    pub(crate) fn nowait(&self) -> bool {
        // SAFETY: The bio is ours.
        unsafe { (*self.0.as_ptr()).bi_opf & bindings::RUSTDIO_REQ_NOWAIT != 0 }
    }

    /// `bio_check_pages_dirty()`; it takes the bio over.
    pub(crate) fn check_pages_dirty(self) {
        // SAFETY: Ownership of the completed bio is transferred.
        unsafe { bindings::bio_check_pages_dirty(self.0.as_ptr()) };
    }

    /// `bio_release_pages(bio, mark_dirty)` then `bio_put()`.
    #[inline]
    pub(crate) fn release(self, mark_dirty: bool) {
        let raw = self.0.as_ptr();
        // SAFETY: Process or completion context as in C; the bio is ours and is put here.
        // `bio_release_pages()` only acts on bios flagged `BIO_PAGE_PINNED`.
        unsafe {
            if (*raw).bi_flags & (1 << bindings::BIO_PAGE_PINNED) != 0 {
                bindings::__bio_release_pages(raw, mark_dirty);
            }
            bindings::bio_put(raw);
        }
    }
}

/// `blk_status_to_errno()`.
pub(crate) fn blk_status_to_errno(status: u8) -> i32 {
    // SAFETY: Pure function.
    unsafe { bindings::blk_status_to_errno(status) }
}

/// `WARN(1, "rustdio: broken invariant: %s")`: a stack trace and `TAINT_WARN`.
pub(crate) fn warn_invariant(what: &'static kernel::str::CStr) {
    // SAFETY: `what` is a NUL-terminated string that lives for the whole call.
    unsafe { bindings::rustdio_warn_invariant(what.as_char_ptr()) };
}

/// Whether `rustdio_dio_begin` has a probe attached (see [`TraceSwitch`]).
static TRACE_BEGIN: TraceSwitch = TraceSwitch::new();
/// Whether `rustdio_dio_complete` has a probe attached.
static TRACE_COMPLETE: TraceSwitch = TraceSwitch::new();

/// A tracepoint's on/off state as the engine sees it.
///
/// The kernel crate of this kernel has no static branch, and calling the C
/// helper (which has one) for every request costs a call with its arguments.
/// The tracepoint core calls the event's `reg` callback before its first probe
/// attaches and `unreg` after its last detaches (`TRACE_EVENT_FN` in
/// `rustdio_trace.h`); they flip this flag, so a disabled event costs one load
/// and a branch.  A request racing with the switch may miss the event, as
/// with a static branch.
struct TraceSwitch(AtomicBool);

impl TraceSwitch {
    const fn new() -> Self {
        Self(AtomicBool::new(false))
    }

    #[inline(always)]
    fn on(&self) -> bool {
        self.0.load(Relaxed)
    }

    fn set(&self, on: bool) {
        self.0.store(on, Relaxed);
    }
}

/// `reg` callback of `rustdio_dio_begin`.
#[no_mangle]
pub(crate) extern "C" fn rustdio_trace_begin_reg() -> core::ffi::c_int {
    TRACE_BEGIN.set(true);
    0
}

/// `unreg` callback of `rustdio_dio_begin`.
#[no_mangle]
pub(crate) extern "C" fn rustdio_trace_begin_unreg() {
    TRACE_BEGIN.set(false);
}

/// `reg` callback of `rustdio_dio_complete`.
#[no_mangle]
pub(crate) extern "C" fn rustdio_trace_complete_reg() -> core::ffi::c_int {
    TRACE_COMPLETE.set(true);
    0
}

/// `unreg` callback of `rustdio_dio_complete`.
#[no_mangle]
pub(crate) extern "C" fn rustdio_trace_complete_unreg() {
    TRACE_COMPLETE.set(false);
}

/// Whether the completion event is on: its arguments are worth computing.
#[inline(always)]
pub(crate) fn trace_dio_complete_on() -> bool {
    TRACE_COMPLETE.on()
}

/// The `rustdio:rustdio_dio_begin` tracepoint: a request was accepted.
#[inline(always)]
pub(crate) fn trace_dio_begin(
    iocb: &Kiocb,
    inode: &Inode,
    count: usize,
    is_write: bool,
    is_async: bool,
    flags: i32,
) {
    if !TRACE_BEGIN.on() {
        return;
    }
    // SAFETY: The kiocb and the inode are valid for the call; the helper only reads them.
    unsafe {
        bindings::rustdio_trace_dio_begin(iocb.raw(), inode.raw(), count, is_write, is_async, flags)
    };
}

// The tracepoint decodes the source with the C header's numbers.
const _: () = {
    assert!(ResultSource::Bytes as u32 == bindings::RUSTDIO_RESULT_BYTES);
    assert!(ResultSource::Submit as u32 == bindings::RUSTDIO_RESULT_SUBMIT);
    assert!(ResultSource::Page as u32 == bindings::RUSTDIO_RESULT_PAGE);
    assert!(ResultSource::Bio as u32 == bindings::RUSTDIO_RESULT_BIO);
    assert!(ResultSource::EndIo as u32 == bindings::RUSTDIO_RESULT_END_IO);
    assert!(ResultSource::Sync as u32 == bindings::RUSTDIO_RESULT_SYNC);
};

/// The `rustdio:rustdio_dio_complete` tracepoint: the request at `pos`
/// transferred `transferred` bytes and returns `ret` (from `source`, a
/// [`ResultSource`]) after `bios` bios and `zeroed` bytes zero-filled.  Called
/// only where [`trace_dio_complete_on`] said so.
pub(crate) fn trace_dio_complete(
    inode: &Inode,
    pos: i64,
    transferred: isize,
    ret: isize,
    bios: u32,
    zeroed: usize,
    source: u32,
) {
    let bios_source = (u64::from(bios) << 32) | u64::from(source);
    // SAFETY: The inode is valid for the call; the helper only reads it.
    unsafe {
        bindings::rustdio_trace_dio_complete(
            inode.raw(),
            pos,
            transferred,
            ret,
            zeroed,
            bios_source,
        )
    };
}

/// Whether the test hook forces the failure path of former `BUG()` site `site`
/// now (once); see `CONFIG_LEGACY_DIRECT_IO_RUST_FORCE_INVARIANT`.
#[cfg(CONFIG_LEGACY_DIRECT_IO_RUST_FORCE_INVARIANT)]
pub(crate) fn invariant_forced(site: u32) -> bool {
    // SAFETY: Reads and clears a plain counter.
    unsafe { bindings::rustdio_invariant_forced(site) }
}

/// Without the test hook, no site is ever forced.
#[cfg(not(CONFIG_LEGACY_DIRECT_IO_RUST_FORCE_INVARIANT))]
#[inline(always)]
pub(crate) fn invariant_forced(_site: u32) -> bool {
    false
}

/// A `spinlock_t` taken with interrupts disabled, protecting `T`.
///
/// The kernel crate of 6.12 has no irq-safe lock, and bio completions may run in
/// hard interrupt context.
pub(crate) struct IrqSpinLock<T> {
    lock: Opaque<bindings::spinlock_t>,
    data: UnsafeCell<T>,
}

// SAFETY: Access to `data` is serialised by the spinlock.
unsafe impl<T: Send> Sync for IrqSpinLock<T> {}
// SAFETY: The lock may move between threads with its data.
unsafe impl<T: Send> Send for IrqSpinLock<T> {}

impl<T> IrqSpinLock<T> {
    /// A lock around `data`; [`IrqSpinLock::init_in_place`] must run before use.
    pub(crate) fn new(data: T) -> Self {
        Self {
            lock: Opaque::uninit(),
            data: UnsafeCell::new(data),
        }
    }

    /// `spin_lock_init()` at the lock's final address.
    ///
    /// # Safety
    ///
    /// Must be called exactly once, before the lock is shared or used, and the lock
    /// must not move afterwards.
    pub(crate) unsafe fn init_in_place(&self) {
        // SAFETY: Guaranteed by the caller.
        unsafe { bindings::rustdio_spin_lock_init(self.lock.get()) };
    }

    /// Runs `f` on the data with the lock held, reaching lock and data through a
    /// raw pointer only.
    ///
    /// For the drop of a reference on the object that embeds the lock: once the
    /// lock is released another CPU may free that object, so no reference to it
    /// may be live across the unlock (a `&self` argument would be).
    ///
    /// # Safety
    ///
    /// - `this` points to a lock initialised by [`IrqSpinLock::init_in_place`].
    /// - The lock stays valid until this function has released it.
    pub(crate) unsafe fn with_locked_raw<R>(this: *const Self, f: impl FnOnce(&mut T) -> R) -> R {
        // SAFETY: `this` is valid (caller); projecting fields creates no reference.
        let (lock, data) = unsafe {
            (
                Opaque::raw_get(ptr::addr_of!((*this).lock)),
                UnsafeCell::raw_get(ptr::addr_of!((*this).data)),
            )
        };
        // SAFETY: The lock is initialised (caller).
        let flags = unsafe { bindings::rustdio_spin_lock_irqsave(lock) };
        // SAFETY: The lock is held, so access to the data is exclusive until the unlock,
        // and the reference given to `f` cannot outlive the call.
        let ret = f(unsafe { &mut *data });
        // SAFETY: Taken above with these flags; nothing touches `this` afterwards.
        unsafe { bindings::rustdio_spin_unlock_irqrestore(lock, flags) };
        ret
    }

    /// `spin_lock_irqsave()`.
    pub(crate) fn lock(&self) -> IrqSpinLockGuard<'_, T> {
        // SAFETY: The lock was initialised by `init`.
        let flags = unsafe { bindings::rustdio_spin_lock_irqsave(self.lock.get()) };
        IrqSpinLockGuard {
            lock: self,
            flags,
            _not_send: PhantomData,
        }
    }
}

/// Holds an [`IrqSpinLock`]; `spin_unlock_irqrestore()` on drop.
pub(crate) struct IrqSpinLockGuard<'a, T> {
    lock: &'a IrqSpinLock<T>,
    flags: usize,
    _not_send: PhantomData<*mut ()>,
}

impl<T> IrqSpinLockGuard<'_, T> {
    /// Drops the lock around `f` (which may sleep) and takes it again.
    pub(crate) fn unlocked<R>(&mut self, f: impl FnOnce() -> R) -> R {
        // SAFETY: The lock is held by this guard.
        unsafe { bindings::rustdio_spin_unlock_irqrestore(self.lock.lock.get(), self.flags) };
        let ret = f();
        // SAFETY: The lock was initialised; it is re-taken before the guard is used again.
        self.flags = unsafe { bindings::rustdio_spin_lock_irqsave(self.lock.lock.get()) };
        ret
    }
}

impl<T> Deref for IrqSpinLockGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: The lock is held.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T> DerefMut for IrqSpinLockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: The lock is held, so access is exclusive.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T> Drop for IrqSpinLockGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: The lock is held by this guard.
        unsafe { bindings::rustdio_spin_unlock_irqrestore(self.lock.lock.get(), self.flags) };
    }
}

/// A task waiting for bios (`dio->waiter`).
#[derive(Clone, Copy)]
pub(crate) struct TaskRef(NonNull<bindings::task_struct>);

// SAFETY: Task pointers are used across contexts only to wake the task, which stays
// alive while it waits.
unsafe impl Send for TaskRef {}

impl TaskRef {
    /// `current`, marked `TASK_UNINTERRUPTIBLE` before it is published as the waiter.
    pub(crate) fn current_prepare_to_sleep() -> Option<Self> {
        // SAFETY: Always valid in task context.
        NonNull::new(unsafe { bindings::rustdio_prepare_to_sleep() }).map(Self)
    }

    /// `wake_up_process()`.
    pub(crate) fn wake_up(self) {
        // SAFETY: The waiter is blocked in `blk_io_schedule()` and thus alive.
        unsafe { bindings::wake_up_process(self.0.as_ptr()) };
    }
}

/// `blk_io_schedule()`: sleep, accounted as I/O wait.
pub(crate) fn blk_io_schedule() {
    // SAFETY: Called in task context with no locks held.
    unsafe { bindings::blk_io_schedule() };
}

/// A `struct work_struct` embedded in an object.
#[repr(transparent)]
pub(crate) struct WorkItem(Opaque<bindings::work_struct>);

impl WorkItem {
    /// An uninitialised work item; [`WorkItem::queue`] initialises it.
    pub(crate) fn new() -> Self {
        Self(Opaque::uninit())
    }

    /// `INIT_WORK()` + `queue_work()` on the superblock's `s_dio_done_wq`.
    ///
    /// `func` may run, and free the object the work item is in, before this
    /// returns: the item is reached through a raw pointer only.
    ///
    /// # Safety
    ///
    /// - `this` points to a work item in an object that stays valid until `func`
    ///   runs, and that `func` then owns.
    /// - The caller does not use `this` (or the object) afterwards.
    pub(crate) unsafe fn queue(
        this: *const Self,
        sb: &SuperBlock,
        func: unsafe extern "C" fn(*mut bindings::work_struct),
    ) {
        let wq = sb.dio_done_wq();
        // SAFETY: `this` is valid (caller); projecting the field creates no reference.
        let work = unsafe { Opaque::raw_get(ptr::addr_of!((*this).0)) };
        // SAFETY: The work item is valid until `func` runs (caller); the wq exists
        // because the engine created it at submission.
        unsafe {
            bindings::rustdio_init_work(work, Some(func));
            bindings::rustdio_queue_work(wq, work);
        }
    }
}

/// The `"dio"` slab cache.
pub(crate) struct SlabCache(core::sync::atomic::AtomicPtr<bindings::kmem_cache>);

impl SlabCache {
    /// An empty cache slot, filled by [`SlabCache::create`].
    pub(crate) const fn empty() -> Self {
        Self(core::sync::atomic::AtomicPtr::new(ptr::null_mut()))
    }

    /// Creates the cache for objects of type `T` (boot panics on failure, as in C).
    pub(crate) fn create<T>(&self, name: &'static kernel::str::CStr) {
        // SAFETY: `name` is a static C string; size and alignment are `T`'s.
        let cache = unsafe {
            bindings::rustdio_kmem_cache_create(
                name.as_char_ptr(),
                core::mem::size_of::<T>() as u32,
                core::mem::align_of::<T>() as u32,
            )
        };
        self.0.store(cache, core::sync::atomic::Ordering::Release);
    }

    /// `kmem_cache_alloc(cache, GFP_KERNEL)`: uninitialised memory for a `T`.
    pub(crate) fn alloc<T>(&self) -> Option<NonNull<T>> {
        let cache = self.0.load(core::sync::atomic::Ordering::Acquire);
        if cache.is_null() {
            return None;
        }
        // SAFETY: `cache` was created for objects of type `T`.
        NonNull::new(unsafe { bindings::rustdio_kmem_cache_alloc(cache) }.cast())
    }

    /// `kmem_cache_free()`.
    ///
    /// # Safety
    ///
    /// `obj` must come from [`SlabCache::alloc`] of this cache and not be used afterwards.
    pub(crate) unsafe fn free<T>(&self, obj: NonNull<T>) {
        let cache = self.0.load(core::sync::atomic::Ordering::Acquire);
        // SAFETY: Guaranteed by the caller.
        unsafe { bindings::kmem_cache_free(cache, obj.as_ptr().cast()) };
    }
}
