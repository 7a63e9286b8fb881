// SPDX-License-Identifier: GPL-2.0

//! Completion: per-bio completion, the waiter handshake, the final result.

use crate::c_types::{
    blk_io_schedule, blk_status_to_errno, trace_dio_complete, trace_dio_complete_on, DoneBio,
    IrqSpinLockGuard, TaskRef,
};
use crate::dio_plan::{self, Outcome, ResultSource};
use crate::{BioDioRef, Dio, DioRef, DioWaitState};
use core::sync::atomic::Ordering::Relaxed;
use kernel::bindings;

/// Invalidate the page cache over a completed write (`DIO_COMPLETE_INVALIDATE`).
pub(crate) const COMPLETE_INVALIDATE: u32 = 1 << 0;
/// Complete through `ki_complete` (`DIO_COMPLETE_ASYNC`).
pub(crate) const COMPLETE_ASYNC: u32 = 1 << 1;

/// `dio_complete()`: compute the result, run `end_io`, invalidate, finish (F48-F55).
pub(crate) fn dio_complete(dio_ref: DioRef, ret: isize, flags: u32) -> isize {
    let dio = dio_ref.get();
    let iocb = dio.iocb();
    let offset = iocb.pos();
    let (mut ret, transferred, source) = dio_plan::complete_result(Outcome {
        ret,
        result: dio.result.load(Relaxed),
        is_read: !dio.params.is_write,
        offset,
        i_size: dio.params.i_size,
        page_errors: dio.page_errors.load(Relaxed),
        io_error: dio.io_error.load(Relaxed),
    });
    dio.set_result_source(source);

    if dio.params.end_io.is_some() {
        let err = iocb.call_end_io(dio.params.end_io, offset, ret, dio.private.load(Relaxed));
        if err != 0 {
            ret = err as isize;
            dio.set_result_source(ResultSource::EndIo);
        }
    }
    // After end_io: filesystems convert unwritten extents there (F52).
    if flags & COMPLETE_INVALIDATE != 0 && ret > 0 && dio.params.is_write {
        iocb.invalidate_post_direct_write(ret as usize);
    }
    dio.inode().dio_end();

    if flags & COMPLETE_ASYNC != 0 {
        iocb.advance_pos(transferred as i64);
        if ret > 0 && dio.params.is_write {
            ret = iocb.write_sync(ret);
            if ret < 0 {
                dio.set_result_source(ResultSource::Sync);
            }
        }
    }
    if trace_dio_complete_on() {
        // The request's position, read again rather than kept across the calls
        // above (a smaller frame): async completion has moved ki_pos past it.
        let pos = if flags & COMPLETE_ASYNC != 0 {
            iocb.pos().wrapping_sub(transferred as i64)
        } else {
            iocb.pos()
        };
        trace_dio_complete(
            dio.inode(),
            pos,
            transferred,
            ret,
            dio.bios.load(Relaxed),
            dio.zeroed.load(Relaxed),
            dio.result_source.load(Relaxed),
        );
    }
    if flags & COMPLETE_ASYNC != 0 {
        dio_ref.complete_iocb(ret);
    }
    dio_ref.free();
    ret
}

/// `dio_bio_complete()`: record the error, release or dirty the pages (F41, F42).
fn bio_complete(dio: &Dio, bio: DoneBio) -> u8 {
    let status = bio.status();
    let should_dirty = !dio.params.is_write && dio.params.should_dirty;
    if status != 0 {
        dio.io_error.store(
            dio_plan::bio_error(status, bindings::RUSTDIO_BLK_STS_AGAIN, bio.nowait()),
            Relaxed,
        );
    }
    if dio.params.is_async && should_dirty {
        bio.check_pages_dirty();
    } else {
        bio.release(should_dirty);
    }
    status
}

/// Async bio completion (F44), from the bio's `bi_end_io`; any context.
#[inline]
pub(crate) fn bio_end_aio(bio: DoneBio, dio: BioDioRef) {
    bio_complete(dio.get(), bio);
    let Some(last) = dio.put(|_| ()) else {
        return;
    };
    let dio = last.get();
    let defer = dio_plan::defer_async_completion(
        dio.result.load(Relaxed),
        dio.defer_completion.load(Relaxed),
        dio.params.is_write,
        dio.inode().has_cached_pages(),
    );
    if defer {
        last.defer();
    } else {
        dio_complete(last, 0, COMPLETE_ASYNC);
    }
}

/// Sync bio completion (F43), from the bio's `bi_end_io`: queue the bio for
/// the submitter; any context.
#[inline]
pub(crate) fn bio_end_io(bio: DoneBio, dio: BioDioRef) {
    // The submitter holds its own reference until it has reaped this bio, so
    // this is never the last one.
    let _ = dio.put(|state| {
        let next = state.bio_list.take();
        state.bio_list = Some(bio.relink(next));
    });
}

/// Pops one completed bio from the list.
#[inline]
fn pop_bio(state: &mut DioWaitState) -> Option<DoneBio> {
    let head = state.bio_list.take()?;
    state.bio_list = head.unlink_next();
    Some(head)
}

/// `dio_await_one()` (F45): wait for a completed bio, or for no bios in
/// flight; returns with `bio_lock` held.
#[inline]
fn await_one(dio: &Dio) -> IrqSpinLockGuard<'_, DioWaitState> {
    let mut state = dio.state.lock();
    while state.refcount > 1 && state.bio_list.is_none() {
        state.waiter = TaskRef::current_prepare_to_sleep();
        state.unlocked(blk_io_schedule);
        state.waiter = None;
    }
    state
}

/// `dio_await_completion()` then the submitter's `drop_refcount()` (F45, F47):
/// completes every bio of a synchronous request and gives up the submitter's
/// reference, and the one held for a first bio if none was sent
/// (`first_bio_unsent`).  Returns the request if that was the last reference.
///
/// Always inlined into the submitter, as C's static helper is: under `-Os` the
/// compiler would otherwise leave a call on every synchronous request.
#[inline(always)]
pub(crate) fn await_and_release(dio_ref: DioRef, first_bio_unsent: bool) -> Option<DioRef> {
    let last = {
        let dio = dio_ref.get();
        if first_bio_unsent {
            // No completion will drop it.
            let mut state = dio.state.lock();
            state.refcount = state.refcount.wrapping_sub(1);
        }
        loop {
            let mut state = await_one(dio);
            if let Some(bio) = pop_bio(&mut state) {
                drop(state);
                bio_complete(dio, bio);
                continue;
            }
            // Every bio is done and reaped, so unless the count is off only the
            // submitter's reference is left.  It is dropped here, under the lock
            // that saw the last completion, rather than under a second one as C
            // does: no other holder is left to take the lock in between.
            let last = state.refcount == 1;
            if last {
                state.refcount = 0;
            }
            break last;
        }
    };
    // With the count at zero, nothing else reaches the request (its bios are
    // all completed and reaped); otherwise it is left to the caller's
    // broken-count path and never freed here.
    last.then_some(dio_ref)
}

/// `dio_bio_reap()`'s body (F38): complete the bios already done; first errno.
///
/// Cold and out of line: it runs once per 64 bios of a large synchronous
/// request, and inlined into `new_bio()` its loop made that frame 16 bytes
/// larger than C's `dio_new_bio()`.
#[cold]
#[inline(never)]
pub(crate) fn reap_completed(dio: &Dio) -> i32 {
    let mut ret = 0;
    loop {
        let bio = pop_bio(&mut dio.state.lock());
        let Some(bio) = bio else { break };
        let err = blk_status_to_errno(bio_complete(dio, bio));
        if ret == 0 {
            ret = err;
        }
    }
    ret
}
