// SPDX-License-Identifier: GPL-2.0

//! Rust implementation of the legacy direct-I/O engine (`fs/direct-io.c`).
//!
//! Exports `__blockdev_direct_IO()` with the C ABI for the filesystems that
//! map blocks with `get_block` (fat, exfat, udf, jfs, nilfs2, ntfs3, hfs,
//! hfsplus, affs, ocfs2, reiserfs).  The contract is 6.12's C engine; row
//! numbers (Fnn) in comments refer to it.
//!
//! - [`dio_submit`]: page extraction, block mapping, bio assembly.
//! - [`dio_complete`]: bio completion, waiting, the final result.
//! - [`dio_plan`]: the pure rules both use.
//! - [`c_types`]: wrappers over the C types; all `unsafe` code lives there
//!   and in the [`Dio`] lifetime helpers below.

use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::ptr::{self, NonNull};
use core::sync::atomic::{
    AtomicBool, AtomicI32, AtomicIsize, AtomicPtr, AtomicU32, AtomicUsize, Ordering::Relaxed,
};
use kernel::bindings;
use kernel::c_str;

mod c_types;
mod dio_complete;
mod dio_plan;
mod dio_submit;

use c_types::{DoneBio, Inode, IovIter, IrqSpinLock, Kiocb, MapBh, PageBatch, SlabCache, WorkItem};

/// `DIO_LOCKING`: take `i_rwsem` around reads.
pub(crate) const DIO_LOCKING: i32 = bindings::DIO_LOCKING as i32;
/// `DIO_SKIP_HOLES`: never allocate blocks inside `i_size`.
pub(crate) const DIO_SKIP_HOLES: i32 = bindings::DIO_SKIP_HOLES as i32;

/// Prefix of this engine's kernel messages.
const __LOG_PREFIX: &[u8] = b"rustdio\0";

static DIO_CACHE: SlabCache = SlabCache::empty();

/// State shared between the submitter and bio completions, under `bio_lock`.
pub(crate) struct DioWaitState {
    /// One for the submitter plus one per bio in flight (F45), plus, until the
    /// first bio is submitted, one held for it (see [`DioRef::init`]).
    pub(crate) refcount: usize,
    /// Completed bios of a synchronous request, linked through `bi_private`.
    pub(crate) bio_list: Option<c_types::DoneBio>,
    /// The submitter, while it sleeps in `dio_await_one()`.
    pub(crate) waiter: Option<c_types::TaskRef>,
}

/// One direct-I/O request (`struct dio`), allocated from the `dio` slab cache.
///
/// Fields written during submission and read at completion are atomics with
/// relaxed ordering: the final reference drop under `bio_lock` orders them.
#[repr(C, align(64))]
pub(crate) struct Dio {
    /// What the request is, fixed at submission.
    pub(crate) params: DioParams,
    inode: NonNull<bindings::inode>,
    iocb: NonNull<bindings::kiocb>,
    /// `map_bh.b_private` after the last `get_block` (F23).
    pub(crate) private: AtomicPtr<c_void>,
    /// First page extraction error (F21).
    pub(crate) page_errors: AtomicI32,
    /// Last bio error (F41).
    pub(crate) io_error: AtomicI32,
    /// Bytes put under I/O or zero-filled.
    pub(crate) result: AtomicIsize,
    /// Bios submitted, for the completion tracepoint.
    pub(crate) bios: AtomicU32,
    /// Where the result came from (a [`dio_plan::ResultSource`]), for the
    /// tracepoint.  In memory rather than a local, so that `dio_complete()`'s
    /// frame stays the size of C's.
    pub(crate) result_source: AtomicU32,
    /// Bytes zero-filled (holes read, sub-block zeroing), for the tracepoint.
    pub(crate) zeroed: AtomicUsize,
    /// Finish async completion in the workqueue (F15, F25).
    pub(crate) defer_completion: AtomicBool,
    /// `bio_lock` and what it protects.
    pub(crate) state: IrqSpinLock<DioWaitState>,
    /// Deferred completion work (F44).
    pub(crate) complete_work: WorkItem,
    /// Only the submitter uses it, through [`DioRef::split`].
    scratch: UnsafeCell<SubmitScratch>,
}

/// Submission state that lives in the slab object rather than on the stack:
/// `get_block` and the whole `submit_bio()` path (dm, md, the driver) run on
/// top of the submitter's frame.
pub(crate) struct SubmitScratch {
    /// Pages extracted from the iterator and not yet walked (`dio->pages[]`).
    pub(crate) pages: PageBatch,
    /// The buffer head `get_block` maps into (`map_bh`, on the stack in C).
    pub(crate) map_bh: MapBh,
    /// The page queue is `pages[head..tail]`; the first page is used from
    /// offset `from`, the last up to `to` (F19).
    pub(crate) head: usize,
    /// End of the queue.
    pub(crate) tail: usize,
    /// Offset of the data in the first page.
    pub(crate) from: usize,
    /// End of the data in the last page.
    pub(crate) to: usize,
}

// SAFETY: Shared fields are atomics or behind `state`'s lock; the raw inode and
// kiocb pointers are only dereferenced while the request holds them alive.
unsafe impl Sync for Dio {}
// SAFETY: See above.
unsafe impl Send for Dio {}

/// Fixed parameters of a request, known before the `Dio` is initialised.
pub(crate) struct DioParams {
    /// `DIO_*` flags from the caller.
    pub(crate) flags: i32,
    /// `REQ_OP_*` plus request flags for every bio.
    pub(crate) opf: u32,
    /// Write (not read) request.
    pub(crate) is_write: bool,
    /// Completes through `ki_complete` (F13).
    pub(crate) is_async: bool,
    /// Pages carry FOLL_PIN pins (F08).
    pub(crate) is_pinned: bool,
    /// Read into user memory: pages must be dirtied (F17).
    pub(crate) should_dirty: bool,
    /// `i_size` at submission (F10).
    pub(crate) i_size: i64,
    /// Filesystem completion hook (ocfs2).
    pub(crate) end_io: bindings::dio_iodone_t,
}

impl Dio {
    /// The inode under I/O; the open file keeps it alive until completion.
    pub(crate) fn inode(&self) -> &Inode {
        // SAFETY: The caller of `__blockdev_direct_IO()` holds the file (and thus the
        // inode) until the request completes, which ends the `Dio`'s life.
        unsafe { Inode::from_raw(self.inode.as_ptr()) }
    }

    /// The request's kiocb, valid until `ki_complete` or the synchronous return.
    pub(crate) fn iocb(&self) -> &Kiocb {
        // SAFETY: As for `inode`: the kiocb outlives the `Dio`.
        unsafe { Kiocb::from_raw(self.iocb.as_ptr()) }
    }

    /// The pointer stored in `bi_private`.
    pub(crate) fn as_private(&self) -> *mut c_void {
        (self as *const Self).cast_mut().cast()
    }

    /// Counts a submitted bio for the tracepoint; only the submitter calls it.
    pub(crate) fn count_bio(&self) {
        let bios = self.bios.load(Relaxed);
        self.bios.store(bios.wrapping_add(1), Relaxed);
    }

    /// Records where the result came from, for the tracepoint.
    pub(crate) fn set_result_source(&self, source: dio_plan::ResultSource) {
        self.result_source.store(source as u32, Relaxed);
    }

    /// Sets `defer_completion` and makes sure the workqueue exists (F15, F25).
    pub(crate) fn set_defer_completion(&self) -> kernel::error::Result {
        if self.defer_completion.load(Relaxed) {
            return Ok(());
        }
        self.defer_completion.store(true, Relaxed);
        self.inode().sb().init_dio_done_wq()
    }
}

/// An owned reference to an initialised, slab-allocated [`Dio`].
///
/// The submitter holds one from [`DioRef::init`] until [`DioRef::release`];
/// whoever drops the last request reference gets one back and passes it to
/// [`dio_complete::dio_complete`], which frees the request.
///
/// # Invariants
///
/// The pointee is an initialised `Dio` on which this value owns a reference.
/// At most one `DioRef` of a request exists at a time: the submitter's, then
/// the last reference holder's.
pub(crate) struct DioRef(NonNull<Dio>);

impl DioRef {
    /// Allocates uninitialised memory for a request (F05).
    pub(crate) fn alloc() -> Option<NonNull<Dio>> {
        DIO_CACHE.alloc::<Dio>()
    }

    /// Releases memory from [`DioRef::alloc`] that was never initialised.
    pub(crate) fn free_uninit(mem: NonNull<Dio>) {
        // SAFETY: `mem` came from the cache and holds nothing that needs dropping.
        unsafe { DIO_CACHE.free(mem) };
    }

    /// Initialises `mem` as a request with two references: the submitter's,
    /// and one held for the first bio, which takes it over when submitted
    /// without the lock round trip every later bio costs.  Most requests
    /// submit exactly one bio; one that submits none gives the held reference
    /// back in [`DioRef::release`] or [`dio_complete::await_and_release`].
    pub(crate) fn init(mem: NonNull<Dio>, iocb: &Kiocb, inode: &Inode, p: DioParams) -> Self {
        let raw = mem.as_ptr();
        // SAFETY: `mem` is a fresh, exclusive, suitably aligned allocation for a `Dio`.
        // Each field is written in place (the page batch is left uninitialised, and no
        // whole `Dio` is ever built on the stack), all before the object is shared.
        unsafe {
            ptr::addr_of_mut!((*raw).params).write(p);
            ptr::addr_of_mut!((*raw).inode).write(NonNull::new_unchecked(inode.raw()));
            ptr::addr_of_mut!((*raw).iocb).write(NonNull::from(iocb).cast());
            ptr::addr_of_mut!((*raw).private).write(AtomicPtr::new(core::ptr::null_mut()));
            ptr::addr_of_mut!((*raw).page_errors).write(AtomicI32::new(0));
            ptr::addr_of_mut!((*raw).io_error).write(AtomicI32::new(0));
            ptr::addr_of_mut!((*raw).result).write(AtomicIsize::new(0));
            ptr::addr_of_mut!((*raw).bios).write(AtomicU32::new(0));
            ptr::addr_of_mut!((*raw).result_source).write(AtomicU32::new(0));
            ptr::addr_of_mut!((*raw).zeroed).write(AtomicUsize::new(0));
            ptr::addr_of_mut!((*raw).defer_completion).write(AtomicBool::new(false));
            ptr::addr_of_mut!((*raw).state).write(IrqSpinLock::new(DioWaitState {
                refcount: 2,
                bio_list: None,
                waiter: None,
            }));
            ptr::addr_of_mut!((*raw).complete_work).write(WorkItem::new());
            let scratch = UnsafeCell::raw_get(ptr::addr_of!((*raw).scratch));
            PageBatch::init_in_place(ptr::addr_of_mut!((*scratch).pages));
            MapBh::init_in_place(ptr::addr_of_mut!((*scratch).map_bh));
            ptr::addr_of_mut!((*scratch).head).write(0);
            ptr::addr_of_mut!((*scratch).tail).write(0);
            ptr::addr_of_mut!((*scratch).from).write(0);
            ptr::addr_of_mut!((*scratch).to).write(0);
            (*raw).state.init_in_place();
        }
        // INVARIANT: Initialised above, with the two references this value owns (its
        // own and the one held for the first bio).
        Self(mem)
    }

    /// The shared request.
    pub(crate) fn get(&self) -> &Dio {
        // SAFETY: The reference keeps the object alive and initialised.
        unsafe { self.0.as_ref() }
    }

    /// The shared request and its submission state, for the submitter.
    pub(crate) fn split(&mut self) -> (&Dio, &mut SubmitScratch) {
        let dio = self.get();
        // SAFETY: Only this function reaches `scratch`, and it borrows the single
        // `DioRef` (type invariant) mutably for as long as the result is used, so the
        // state is never aliased; bio completions do not touch it.
        let scratch = unsafe { &mut *dio.scratch.get() };
        (dio, scratch)
    }

    /// Gives up the submitter's reference (`drop_refcount()`, F47), and the one
    /// held for a first bio if none was submitted (`first_bio_unsent`); returns
    /// the request if that was the last one.
    pub(crate) fn release(self, first_bio_unsent: bool) -> Option<Self> {
        let dio = self.0;
        // SAFETY: `self` owns a reference (type invariant) and is consumed here; the
        // held reference is the submitter's too.
        unsafe {
            Self::put(dio, |state| {
                state.refcount = state.refcount.wrapping_sub(usize::from(first_bio_unsent));
            })
        }
    }

    /// Drops a reference under `bio_lock` after running `update` on the shared
    /// state; wakes a waiting submitter when only its reference is left (F45).
    /// Returns the request to the caller that dropped the last reference.
    ///
    /// The count goes down through a raw pointer: once the lock is released
    /// another holder may free the request, so no `&Dio` may be live across it.
    ///
    /// # Safety
    ///
    /// - `dio` points to an initialised `Dio`.
    /// - The caller owns one reference on it (a bio's, or the submitter's) and
    ///   gives it up here: it does not use `dio` afterwards.
    pub(crate) unsafe fn put(
        dio: NonNull<Dio>,
        update: impl FnOnce(&mut DioWaitState),
    ) -> Option<Self> {
        let put_one = |state: &mut DioWaitState| {
            update(state);
            // Wrapping, as C's `--dio->refcount`: a count that is off leaves the
            // request unfinished, it does not panic in interrupt context.
            state.refcount = state.refcount.wrapping_sub(1);
            if state.refcount == 1 {
                if let Some(waiter) = state.waiter {
                    waiter.wake_up();
                }
            }
            state.refcount
        };
        // SAFETY: `dio` is initialised and the caller's reference keeps it (and so the
        // lock) alive until `with_locked_raw` has unlocked.
        let remaining =
            unsafe { IrqSpinLock::with_locked_raw(ptr::addr_of!((*dio.as_ptr()).state), put_one) };
        // INVARIANT: With no reference left, the caller is the only owner.
        (remaining == 0).then_some(Self(dio))
    }

    /// Frees the request (`kmem_cache_free`, F55).
    pub(crate) fn free(self) {
        // SAFETY: The last reference is consumed; `Dio` has no drop glue beyond its
        // fields, which hold no owned resources at this point.
        unsafe { DIO_CACHE.free(self.0) };
    }

    /// Hands the request to `s_dio_done_wq`, where [`dio_aio_complete_work`]
    /// completes it (F44).
    pub(crate) fn defer(self) {
        let dio = self.0.as_ptr();
        // SAFETY: `self` owns the last reference, so the object is alive; the
        // superblock outlives the inode and the request.
        let sb = unsafe { (*dio).inode().sb() };
        // SAFETY: The work item is in the request, which the work function receives with
        // the reference `self` gives up here (`DioRef::from_work`); neither is used again.
        unsafe {
            WorkItem::queue(
                ptr::addr_of!((*dio).complete_work),
                sb,
                dio_aio_complete_work,
            )
        };
    }

    /// Calls the kiocb's `ki_complete` (F53): after it the kiocb may be gone, so
    /// it is reached through the raw pointer the request keeps.
    pub(crate) fn complete_iocb(&self, ret: isize) {
        // SAFETY: An async request's kiocb is valid until `ki_complete`, which
        // completes it here once; the request does not use the kiocb again.
        unsafe { Kiocb::complete(self.get().iocb, ret) };
    }

    /// Recovers the request from its deferred completion work.
    ///
    /// # Safety
    ///
    /// `work` is the `complete_work` of a request queued by [`DioRef::defer`],
    /// whose reference the caller takes over.
    unsafe fn from_work(work: *mut bindings::work_struct) -> Self {
        let offset = core::mem::offset_of!(Dio, complete_work);
        // SAFETY: Guaranteed by the caller: `work` lies inside a `Dio`.
        Self(unsafe { NonNull::new_unchecked(work.cast::<u8>().sub(offset).cast::<Dio>()) })
    }
}

/// A completed bio's reference on its request.
///
/// # Invariants
///
/// The pointee is an initialised `Dio` on which this value owns the one
/// reference its bio held.
pub(crate) struct BioDioRef(NonNull<Dio>);

impl BioDioRef {
    /// The completed bio handed to `bi_end_io`, and its request's reference.
    ///
    /// # Safety
    ///
    /// - `bio` is a bio this engine submitted (`bi_private` is its request),
    ///   completed and handed back by the block layer.
    /// - The caller takes over the bio and its reference on the request.
    unsafe fn from_end_io(bio: *mut bindings::bio) -> Option<(DoneBio, Self)> {
        // SAFETY: Guaranteed by the caller.
        let bio = unsafe { DoneBio::from_raw(bio) }?;
        let dio = NonNull::new(bio.private().cast::<Dio>())?;
        // INVARIANT: Each submitted bio holds a reference on the request in `bi_private`.
        Some((bio, Self(dio)))
    }

    /// The request, alive while this reference is held.
    pub(crate) fn get(&self) -> &Dio {
        // SAFETY: The reference keeps the object alive and initialised (type invariant).
        unsafe { self.0.as_ref() }
    }

    /// Gives up the bio's reference after running `update` under `bio_lock`;
    /// returns the request if that was the last reference.
    pub(crate) fn put(self, update: impl FnOnce(&mut DioWaitState)) -> Option<DioRef> {
        // SAFETY: `self` owns a reference (type invariant) and is consumed here, so no
        // borrow of the request from `get()` outlives the drop.
        unsafe { DioRef::put(self.0, update) }
    }
}

/// `bi_end_io` of an async request's bios (F44); any context.
///
/// # Safety
///
/// Only the block layer calls it, for a bio this engine submitted.
pub(crate) unsafe extern "C" fn dio_bio_end_aio(bio: *mut bindings::bio) {
    // SAFETY: The block layer hands back a completed bio of this engine, with its
    // reference on the request.
    if let Some((bio, dio)) = unsafe { BioDioRef::from_end_io(bio) } {
        dio_complete::bio_end_aio(bio, dio);
    }
}

/// `bi_end_io` of a synchronous request's bios (F43); any context.
///
/// # Safety
///
/// Only the block layer calls it, for a bio this engine submitted.
pub(crate) unsafe extern "C" fn dio_bio_end_io(bio: *mut bindings::bio) {
    // SAFETY: As for `dio_bio_end_aio`.
    if let Some((bio, dio)) = unsafe { BioDioRef::from_end_io(bio) } {
        dio_complete::bio_end_io(bio, dio);
    }
}

/// Work function of deferred async completion (F44).
///
/// # Safety
///
/// Only queued by [`DioRef::defer`] on a request's own `complete_work`, which
/// then owns the request's last reference.
unsafe extern "C" fn dio_aio_complete_work(work: *mut bindings::work_struct) {
    // SAFETY: Guaranteed by the caller.
    let dio = unsafe { DioRef::from_work(work) };
    dio_complete::dio_complete(
        dio,
        0,
        dio_complete::COMPLETE_ASYNC | dio_complete::COMPLETE_INVALIDATE,
    );
}

/// `ssize_t __blockdev_direct_IO(...)`: the direct-I/O entry point for
/// buffer_head based filesystems.
///
/// # Safety
///
/// Called by filesystems with valid `iocb`, `inode`, `iter` and `get_block`;
/// `bdev` may be NULL; the caller holds `i_rwsem` for writes (F09).
#[no_mangle]
#[allow(non_snake_case)]
pub unsafe extern "C" fn __blockdev_direct_IO(
    iocb: *mut bindings::kiocb,
    inode: *mut bindings::inode,
    bdev: *mut bindings::block_device,
    iter: *mut bindings::iov_iter,
    get_block: bindings::get_block_t,
    end_io: bindings::dio_iodone_t,
    flags: core::ffi::c_int,
) -> isize {
    // SAFETY: The caller passes valid objects that outlive the call.
    let (iocb, inode, iter) = unsafe {
        (
            Kiocb::from_raw(iocb),
            Inode::from_raw(inode),
            IovIter::from_raw(iter),
        )
    };
    dio_submit::blockdev_direct_io(iocb, inode, bdev, iter, get_block, end_io, flags)
}

// The exported function must match the C prototype in <linux/fs.h>.
const _: () = {
    let _c: unsafe extern "C" fn(
        *mut bindings::kiocb,
        *mut bindings::inode,
        *mut bindings::block_device,
        *mut bindings::iov_iter,
        bindings::get_block_t,
        bindings::dio_iodone_t,
        core::ffi::c_int,
    ) -> isize = if true {
        bindings::__blockdev_direct_IO
    } else {
        __blockdev_direct_IO
    };
};

/// Creates the `dio` slab cache; called from the initcall in `dio_glue.c` (F04).
#[no_mangle]
pub extern "C" fn rustdio_init() -> core::ffi::c_int {
    DIO_CACHE.create::<Dio>(c_str!("dio"));
    kernel::pr_info!(
        "Rust direct I/O engine, dio object {} bytes\n",
        core::mem::size_of::<Dio>()
    );
    0
}

/// KUnit cases for the request's reference count, called from `dio_kunit.c`.
#[cfg(CONFIG_LEGACY_DIRECT_IO_RUST_KUNIT_TEST)]
mod kunit_cases {
    use super::*;
    use kernel::types::Opaque;

    macro_rules! expect {
        ($cond:expr) => {
            kernel::kunit_assert!("rustdio", "direct_io.rs", 0, $cond)
        };
    }

    /// What the cases below ask of a request: an async read, no flags.
    fn async_read_params() -> DioParams {
        DioParams {
            flags: 0,
            opf: 0,
            is_write: false,
            is_async: true,
            is_pinned: false,
            should_dirty: false,
            i_size: 0,
            end_io: None,
        }
    }

    /// Bios and the submitter drop their references in any order, and only
    /// whoever drops the last one gets the request back (to complete and
    /// free it), with the count at zero.
    #[no_mangle]
    pub(crate) extern "C" fn rustdio_kunit_refcount() {
        // Doubles for the kiocb and the inode: the request stores their
        // addresses, and nothing below reads them.
        let iocb = Opaque::<bindings::kiocb>::uninit();
        let inode = Opaque::<bindings::inode>::uninit();
        // SAFETY: Both wrap `Opaque`, which may be uninitialised; the calls below only
        // take the addresses.
        let (iocb, inode) = unsafe { (Kiocb::from_raw(iocb.get()), Inode::from_raw(inode.get())) };
        let Some(mem) = DioRef::alloc() else {
            expect!(false);
            return;
        };
        let submitter = DioRef::init(mem, iocb, inode, async_read_params());
        let dio = NonNull::from(submitter.get());
        // The submitter's reference and the one the first bio takes over.
        expect!(submitter.get().state.lock().refcount == 2);
        // A second bio in flight, as `bio_submit()` counts it.
        submitter.get().state.lock().refcount += 1;
        // SAFETY: One bio's reference, given up; `dio` stays valid while others remain.
        expect!(unsafe { DioRef::put(dio, |_| ()) }.is_none());
        expect!(submitter.get().state.lock().refcount == 2);
        expect!(submitter.release(false).is_none());
        // SAFETY: The last bio's reference, given up.
        let last = unsafe { DioRef::put(dio, |_| ()) };
        expect!(last.is_some());
        if let Some(last) = last {
            expect!(last.get().state.lock().refcount == 0);
            last.free();
        }
        // A request that submitted no bio gives the held reference back with
        // the submitter's.
        let Some(mem) = DioRef::alloc() else {
            expect!(false);
            return;
        };
        let submitter = DioRef::init(mem, iocb, inode, async_read_params());
        let last = submitter.release(true);
        expect!(last.is_some());
        if let Some(last) = last {
            expect!(last.get().state.lock().refcount == 0);
            last.free();
        }
    }
}
