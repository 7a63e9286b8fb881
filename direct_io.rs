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

use core::ffi::c_void;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicIsize, AtomicPtr, Ordering::Relaxed};
use kernel::bindings;
use kernel::c_str;

mod c_types;
mod dio_complete;
mod dio_plan;
mod dio_submit;

use c_types::{Inode, IovIter, IrqSpinLock, Kiocb, SlabCache, WorkItem};

/// `DIO_LOCKING`: take `i_rwsem` around reads.
pub(crate) const DIO_LOCKING: i32 = bindings::DIO_LOCKING as i32;
/// `DIO_SKIP_HOLES`: never allocate blocks inside `i_size`.
pub(crate) const DIO_SKIP_HOLES: i32 = bindings::DIO_SKIP_HOLES as i32;

/// Prefix of this engine's kernel messages.
const __LOG_PREFIX: &[u8] = b"rustdio\0";

static DIO_CACHE: SlabCache = SlabCache::empty();

/// State shared between the submitter and bio completions, under `bio_lock`.
pub(crate) struct DioWaitState {
    /// One for the submitter plus one per bio in flight (F45).
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
    /// Finish async completion in the workqueue (F15, F25).
    pub(crate) defer_completion: AtomicBool,
    /// `bio_lock` and what it protects.
    pub(crate) state: IrqSpinLock<DioWaitState>,
    /// Deferred completion work (F44).
    pub(crate) complete_work: WorkItem,
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
/// Whoever drops the last request reference turns it into a `DioRef` and
/// passes it to [`dio_complete::dio_complete`], which frees it.
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

    /// Initialises `mem` as a request with one (the submitter's) reference.
    pub(crate) fn init(mem: NonNull<Dio>, iocb: &Kiocb, inode: &Inode, p: DioParams) -> Self {
        let raw = mem.as_ptr();
        // SAFETY: `mem` is a fresh, exclusive, suitably aligned allocation for a `Dio`;
        // every field is written before the object is shared.
        unsafe {
            raw.write(Dio {
                params: p,
                inode: NonNull::new_unchecked(inode.raw()),
                iocb: NonNull::from(iocb).cast(),
                private: AtomicPtr::new(core::ptr::null_mut()),
                page_errors: AtomicI32::new(0),
                io_error: AtomicI32::new(0),
                result: AtomicIsize::new(0),
                defer_completion: AtomicBool::new(false),
                state: IrqSpinLock::new(DioWaitState {
                    refcount: 1,
                    bio_list: None,
                    waiter: None,
                }),
                complete_work: WorkItem::new(),
            });
            (*raw).state.init_in_place();
        }
        Self(mem)
    }

    /// The shared request.
    pub(crate) fn get(&self) -> &Dio {
        // SAFETY: The reference keeps the object alive and initialised.
        unsafe { self.0.as_ref() }
    }

    /// Frees the request (`kmem_cache_free`, F55).
    pub(crate) fn free(self) {
        // SAFETY: The last reference is consumed; `Dio` has no drop glue beyond its
        // fields, which hold no owned resources at this point.
        unsafe { DIO_CACHE.free(self.0) };
    }

    /// Recovers the request a completed bio belongs to.
    ///
    /// The bio's reference keeps the request alive until the completion handler
    /// drops it under `bio_lock`; after that only the last owner may use it.
    pub(crate) fn from_bio<'b>(bio: &c_types::DoneBio) -> &'b Dio {
        // SAFETY: `bi_private` was set to a live `Dio` at submission, and the bio's
        // reference keeps it alive while the completion handler runs.
        unsafe { &*bio.private().cast::<Dio>() }
    }

    /// Takes over the last reference from a completion handler.
    pub(crate) fn from_last_ref(dio: &Dio) -> Self {
        Self(NonNull::from(dio))
    }

    /// Recovers the request from its deferred completion work.
    pub(crate) fn from_work(work: *mut bindings::work_struct) -> Self {
        let offset = core::mem::offset_of!(Dio, complete_work);
        // SAFETY: Only `Dio::complete_work` is queued with `dio_aio_complete_work`, and
        // the queued work owns the last reference.
        Self(unsafe { NonNull::new_unchecked(work.cast::<u8>().sub(offset).cast::<Dio>()) })
    }
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
