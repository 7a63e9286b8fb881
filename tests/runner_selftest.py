#!/usr/bin/env python3
"""Self-test of the verdict's parser on made-up console logs: each kind of
failure must fail the run and name its cause.  scripts/selftest-boot.sh does
the same on real kernels.  Also: make refuses every bad variable while it
reads the Makefile, before any work, with a line naming the variable.  And
the differential runner's recheck (scripts/fuzz.py) on made-up boots: a
boot that crashes there fails the run instead of excusing a divergence.
And the fstests runner (scripts/xfstests.py) on made-up boots: a guest that
dies before its first test is booted again, three in a row stop the run,
and a deadline keeps the tests both engines finished.  And the pinned-fault
trace reader (scripts/fault_trace.py) on made-up traced boots."""
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import types

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERDICT = os.path.join(TOP, 'scripts', 'verdict.py')
GOOD = 'ok 1 - vfat-512:aligned_overwrite\nok 2 - vfat-512:holes # SKIP n/a\n'
DONE = 'RUSTDIO-GUEST-DONE taint=0 debug_locks=1\n'


def prog(body, status=0, taint=0, name='dio_test:vfat-512'):
    """A test program's block as tests/guest-init.sh prints it."""
    return (f'# RUSTDIO-PROG-BEGIN {name}\n{body}'
            f'# RUSTDIO-PROG-END {name} status={status} taint={taint} debug_locks=1\n')


# warn_alloc() in the task the faults are pinned on.
ALLOC = ('[   40.1] dio_fuzz: vmalloc error: size 16384, failed to allocate pages, mode:0xdc0(GFP_KERNEL|__GFP_ZERO)\n'
         '[   40.1] CPU: 1 UID: 0 PID: 81 Comm: dio_fuzz Not tainted 6.12.57 #1\n'
         '[   40.1] Call Trace:\n[   40.1]  <TASK>\n[   40.1]  dump_stack_lvl+0x5d/0x80\n'
         '[   40.1]  warn_alloc+0x14c/0x1c0\n[   40.1]  </TASK>\n')
FULL = prog('1..2\n' + GOOD + '# vfat-512: 2 cases, 0 failed\n')
# (name, log, expected programs, expected exit status, text the output must hold
#  [, RUSTDIO_SUITE, default quick])
CASES = [
    ('clean run passes', FULL + DONE, ['dio_test:vfat-512'], 0, '1 passed, 0 failed, 1 skipped'),
    ('broken test fails', prog('1..1\nnot ok 1 - vfat-512:read_eof\n# tail read (errno 0)\n'
                               '# vfat-512: 1 cases, 1 failed\n', status=1) + DONE, [], 1,
     'FAIL vfat-512:read_eof # tail read'),
    ('kernel WARN fails', FULL + '[   12.5] WARNING: CPU: 0 PID: 1 at fs/rustdio/x.rs:1\n' + DONE, [], 1,
     'PROBLEM kernel WARNING'),
    ('KASAN report named as KASAN', FULL + 'BUG: KASAN: use-after-free in foo\n' + DONE, [], 1,
     'PROBLEM KASAN report'),
    ('lockdep report named as lockdep', FULL + 'WARNING: possible circular locking dependency detected\n' + DONE,
     [], 1, 'PROBLEM lockdep report'),
    ('hung guest fails', FULL + 'INFO: task dio_test:80 blocked for more than 60 seconds.\n', [], 1,
     'guest did not finish'),
    ('KUnit failure fails', '    not ok 1 alignment_test\nnot ok 1 rustdio_plan\n' + DONE, [], 1,
     'FAIL alignment_test'),
    ('taint fails', prog('1..2\n' + GOOD + '# vfat-512: 2 cases, 0 failed\n', taint=512) + DONE, [], 1,
     'PROBLEM kernel tainted W (512) after dio_test:vfat-512'),
    ('TAINT_TEST alone passes', prog('1..2\n' + GOOD + '# vfat-512: 2 cases, 0 failed\n', taint=262144)
     + DONE, [], 0, '1 passed, 0 failed'),
    ('lockdep off fails', FULL + 'RUSTDIO-GUEST-DONE taint=0 debug_locks=0\n', [], 1,
     'PROBLEM lockdep turned itself off'),
    ('signal fails', prog('1..2\nok 1 - vfat-512:a\n', status=139) + DONE, [], 1,
     'PROBLEM program dio_test:vfat-512 killed by signal 11'),
    ('lost case fails', prog('1..3\n' + GOOD + '# vfat-512: 3 cases, 0 failed\n') + DONE, [], 1,
     'reported 2 of 3 planned cases'),
    ('missing closing line fails', prog('1..2\n' + GOOD) + DONE, [], 1, 'printed no closing'),
    ('missing plan fails', prog(GOOD + '# vfat-512: 2 cases, 0 failed\n') + DONE, [], 1, 'printed no TAP plan'),
    ('exit status fails', prog('1..2\n' + GOOD + '# vfat-512: 2 cases, 0 failed\n', status=2) + DONE, [], 1,
     'exited with status 2'),
    ('unfinished program fails', '# RUSTDIO-PROG-BEGIN dio_test:vfat-512\n1..2\n' + GOOD + DONE, [], 1,
     'program dio_test:vfat-512 did not finish'),
    ('missing program fails', FULL + DONE, ['dio_test:vfat-512', 'dio_faults:nbf'], 1,
     'program dio_faults:nbf never ran'),
    ('injected allocation failure passes with pinned faults', FULL + ALLOC + DONE, [], 0,
     'NOTE injected allocation failure', 'fuzz-faults'),
    ('allocation failure fails without pinned faults', FULL + ALLOC + DONE, [], 1, 'PROBLEM call trace'),
    ('allocation failure of another task fails', FULL + ALLOC.replace('dio_fuzz:', 'kworker/0:1:') + DONE,
     [], 1, 'PROBLEM call trace', 'fuzz-faults'),
    ('a second trace after an allocation failure fails', FULL + ALLOC + 'Call Trace:\n' + DONE, [], 1,
     'PROBLEM call trace', 'fuzz-faults'),
]

# (make arguments, text of the error line; None: accepted)
MAKE_CASES = [
    ('bench PAIRS=abc', 'PAIRS must be a whole number'),
    ('bench PAIRS=3', None),
    ('fuzz SEEDS=x', 'SEEDS must be a whole number'),
    ('fuzz OPS=-1', 'OPS must be a whole number'),
    ('fuzz DURATION=1h', 'DURATION must be a whole number'),
    ('fuzz FAULTS=2', 'FAULTS must be both, 0 or 1'),
    ('fuzz REPLAY=/nonexistent', "REPLAY: no such file '/nonexistent'"),
    ('test FS=ext2', 'FS takes filesystems from:'),
    ('test LBS=1024', 'LBS takes 512 and/or 4096'),
    ('test VARIANT=x', 'VARIANT takes guest, debug, rt or bench'),
    ('test ENGINE=go', 'ENGINE must be c, rust or both'),
    ('test ARCH=riscv', 'ARCH must be x86_64 or arm64'),
    ('mutants MUTANTS=99', 'MUTANTS takes mutant numbers'),
    ('mutants CORPUS=x', 'CORPUS must be suite or fuzz'),
    ('bench BENCH_CLOCK=x', 'BENCH_CLOCK must be icount or wall'),
    ('xfstests FS=ntfs3', 'FS takes filesystems from: vfat msdos exfat ext2 udf jfs for xfstests'),
    ('xfstests GROUP=slow', 'GROUP takes quick, auto, aio or rw'),
    ('xfstests TESTS=foo', 'TESTS takes fstests names'),
    ('xfstests TESTS=generic/001 GROUP=quick', 'give TESTS or GROUP, not both'),
    ('xfstests RESUME=2', 'RESUME must be 0 or 1'),
    ('xfstests FS=vfat,ext2 RESUME=1 DURATION=60', None),
]


class FakeRun:
    """What scripts/fuzz.py's Run leaves after a boot."""

    def __init__(self, results=None, logs=None, problem=None, lost=()):
        self.results, self.logs, self.stale = results or {}, logs or {}, []
        self.problem, self.lost = problem, set(lost)


PROG = ('vfat-512', 7, 7, 200, 'all')
KEY = PROG[:2]
LOG_A, LOG_B = ['3 pwrite f0 -> 4096 e=0'], ['3 pwrite f0 -> -1 e=5']
# Two lines: C's boots part at the second, the Rust log differs at the first.
LOG_C = ['1 pread f0 -> 512 e=0', '3 pwrite f0 -> 4096 e=0']
LOG_D = ['1 pread f0 -> 512 e=0', '3 pwrite f0 -> -1 e=5']
LOG_E = ['1 pread f0 -> 512 e=0', '3 pwrite f0 -> -1 e=12']
LOG_R = ['1 pread f0 -> -1 e=14', '3 pwrite f0 -> 4096 e=0']


def gave(log):
    return FakeRun({KEY: 'a' if log is LOG_A else 'b'}, {KEY: log})


CRASHED = FakeRun(problem='PROBLEM kernel BUG', lost=[KEY])

# (name, recheck boots: C, Rust, C again, further boots of C, of Rust,
#  expected (passed, failed, skipped), text the runner must print)
FUZZ_CASES = [
    ('recheck: two boots of C differ, skipped', gave(LOG_A), gave(LOG_B), gave(LOG_B), [], [],
     (0, 0, 1), 'SKIP: two boots of the c kernel differ'),
    ('recheck: a crashed boot fails, not skipped', gave(LOG_A), gave(LOG_B), CRASHED, [], [],
     (0, 2, 0), 'LOST vfat-512 program 7: a recheck boot ended'),
    ('recheck: a crashed further boot fails, not skipped', gave(LOG_A), gave(LOG_A), gave(LOG_A),
     [CRASHED], [gave(LOG_A)] * 3, (0, 2, 0), 'LOST vfat-512 program 7: a further boot ended'),
    ('recheck: Rust varies, C repeats: failed', gave(LOG_A), gave(LOG_A), gave(LOG_A),
     [gave(LOG_A)] * 3, [gave(LOG_A), gave(LOG_B), gave(LOG_A)], (0, 1, 0),
     'its result varies from boot to boot'),
    # The first boots print the whole log: a third boot of C.
    ('recheck: the first boot of C differs from the recheck, skipped', gave(LOG_A), gave(LOG_A), gave(LOG_A),
     [], [], (0, 0, 1), 'SKIP: two boots of the c kernel differ', (LOG_B, LOG_A)),
    ('recheck: Rust varies, its first boot names the operation', gave(LOG_A), gave(LOG_A), gave(LOG_A),
     [gave(LOG_A)] * 3, [gave(LOG_A)] * 3, (0, 1, 0),
     'its first boot differed at log line 0:\n    c: 3 pwrite f0 -> 4096 e=0\n    rust: 3 pwrite f0 -> -1 e=5',
     (LOG_A, LOG_B)),
    # Up to the line where the boots of C part, C repeated itself.
    ('recheck: C parts late, Rust differs before: failed', gave(LOG_C), gave(LOG_R), gave(LOG_D), [], [],
     (0, 1, 0), 'the boots of the c kernel agree up to log line 1, and the rust kernel differs before it'),
    ("recheck: C parts late, Rust's first boot differs before, its recheck not: failed, said", gave(LOG_C),
     gave(LOG_C), gave(LOG_D), [], [], (0, 1, 0),
     "the rust kernel differs before it on its first boot (its recheck agrees up to there), at log line 0",
     (LOG_C, LOG_R)),
    ('recheck: C parts, Rust the same up to there: skipped', gave(LOG_C), gave(LOG_D), gave(LOG_D), [], [],
     (0, 0, 1), "the rust kernel's logs agree with them up to there, and give there one of theirs",
     (LOG_C, LOG_D)),
    ('recheck: C parts, Rust gives a third result there: skipped, said', gave(LOG_C), gave(LOG_E), gave(LOG_D),
     [], [], (0, 0, 1), 'and give there a line none of them gave', (LOG_C, LOG_E)),
    ('recheck: the first boot of Rust differs before further boots of C part: failed', gave(LOG_C),
     gave(LOG_C), gave(LOG_C), [gave(LOG_D)], [gave(LOG_C)] * 3, (0, 1, 0),
     "the rust kernel's first boot differs at log line 0, before the boots of the c kernel part (log line 1)",
     (LOG_C, LOG_R)),
]


def compare(fuzz, run, programs):
    """fuzz.compare() on `programs` with `run` for its further boots (the
    first boots and the recheck already stubbed); its result and output."""
    fuzz.Run = run
    fuzz.report = lambda *a: '/dev/null'
    args = types.SimpleNamespace(engines=['c', 'rust'], faults=False, tag='selftest', variant='guest',
                                 no_cache=False, max_minimize=0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        got = fuzz.compare(args, 'selftest', programs, 0)
    return got, out.getvalue()


def fuzz_cases(first):
    """fuzz.compare() on one program that gave different hashes, its boots
    replaced by the made-up ones of each case."""
    sys.path.insert(0, os.path.join(TOP, 'scripts'))
    import fuzz
    failed = 0
    for n, (name, ra1, rb, ra2, again_c, again_rust, want, text, *logs) in enumerate(FUZZ_CASES, first):
        further = {'c': list(again_c), 'rust': list(again_rust)}
        # The first boots: different hashes, with or without whole logs.
        boots = ([FakeRun({KEY: 'x'}, {KEY: logs[0][0]}), FakeRun({KEY: 'y'}, {KEY: logs[0][1]})] if logs else
                 [FakeRun({KEY: 'x'}), FakeRun({KEY: 'y'})])
        fuzz.run_chunks = lambda args, tag, programs, boots=boots: boots
        fuzz.run_pair = lambda args, tag, programs, log=False, ra1=ra1, rb=rb: [ra1, rb]

        def run(args, engine, tag, programs, log=False, ra2=ra2, further=further):
            if '-again-' in tag:
                return ra2
            # Boots a case does not list repeat the reference log.
            return further[engine].pop(0) if further[engine] else gave(LOG_A)
        got, out = compare(fuzz, run, [PROG])
        good = got == want and text in out
        failed += not good
        print(f'{"ok" if good else "not ok"} {n} - runner:{name}')
        if not good:
            print(f'# got {got}, want {want}; output:\n# ' + out.replace('\n', '\n# '))
    return failed


def fuzz_two_programs_case(n):
    """Two divergent programs: the one that goes on to the further boots is
    judged by its own first-boot log, not by the other program's."""
    import fuzz
    other = ('vfat-512', 8, 8, 200, 'all')
    k2 = other[:2]
    # Program 7: the recheck gives C's log on both kernels, a further boot
    # of C parts at line 1, and Rust's first boot differed at line 0: failed.
    # Program 8, last in the list: the C boots part at line 1, Rust agrees
    # up to there: skipped.
    boots = [FakeRun({KEY: 'x', k2: 'x'}, {KEY: LOG_C, k2: LOG_C}),
             FakeRun({KEY: 'y', k2: 'y'}, {KEY: LOG_R, k2: LOG_C})]
    fuzz.run_chunks = lambda args, tag, programs: boots
    fuzz.run_pair = lambda args, tag, programs, log=False: [
        FakeRun({KEY: 'x', k2: 'x'}, {KEY: LOG_C, k2: LOG_C}),
        FakeRun({KEY: 'x', k2: 'z'}, {KEY: LOG_C, k2: LOG_D})]
    further = {'c': [gave(LOG_D)], 'rust': []}

    def run(args, engine, tag, programs, log=False):
        if '-again-' in tag:
            return FakeRun({KEY: 'x', k2: 'z'}, {KEY: LOG_C, k2: LOG_D})
        return further[engine].pop(0) if further[engine] else gave(LOG_C)
    got, out = compare(fuzz, run, [PROG, other])
    text = "vfat-512 program 7: the rust kernel's first boot differs at log line 0"
    good = got == (0, 1, 1) and text in out and 'program 8: SKIP' in out
    print(f'{"ok" if good else "not ok"} {n} - runner:recheck: two programs, each judged by its own logs')
    if not good:
        print(f'# got {got}, want (0, 1, 1); output:\n# ' + out.replace('\n', '\n# '))
    return not good


def fuzz_crash_case(n):
    """A program that takes the Rust kernel down (its operation 5) and not
    C's: a divergence, minimized to that operation, with each candidate
    after a crash in a fresh boot."""
    import fuzz
    prog = ('vfat-512', 7, 7, 8, 'all')

    def boot(engine, programs):
        r = FakeRun()
        for i, (label, pid, _, nops, ops) in enumerate(programs):
            ops = list(range(nops)) if ops == 'all' else [int(o) for o in ops.split(',') if o != 'none']
            log = [f'{o} pwrite f0 -> 512 e=0' for o in ops]
            if engine == 'rust' and 5 in ops:
                r.logs[(label, pid)] = log[:ops.index(5)]
                r.problem = 'rust-guest: PROBLEM BUG: kernel NULL pointer dereference'
                r.lost = {(q[0], q[1]) for q in programs[i:]}
                break
            r.results[(label, pid)] = 'h' + ','.join(map(str, ops))
            r.logs[(label, pid)] = log
        return r
    fuzz.run_chunks = lambda args, tag, programs: [boot('c', programs), boot('rust', programs)]
    fuzz.run_pair = lambda args, tag, programs, log=False: [boot('c', programs), boot('rust', programs)]
    reports = []
    fuzz.Run = None
    args = types.SimpleNamespace(engines=['c', 'rust'], faults=False, tag='selftest', variant='guest',
                                 no_cache=False, max_minimize=1)
    fuzz.report = lambda *a: reports.append(a) or '/dev/null'
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        got = fuzz.compare(args, 'selftest', [prog], float('inf'))
    out = out.getvalue()
    text = ('minimized to 1 operations, in /dev/null; the boot ended during it on rust: '
            'rust-guest: PROBLEM BUG: kernel NULL pointer dereference')
    good = got == (0, 2, 0) and text in out and reports and reports[0][2] == ('vfat-512', 7, 7, 8, '5')
    print(f'{"ok" if good else "not ok"} {n} - runner:minimize: a program that takes one kernel down')
    if not good:
        print(f"# got {got}, want (0, 2, 0) (the failed boot and the program); output:\n# "
              + out.replace("\n", "\n# "))
    return not good


NOSTART = ({}, None, 'nostart')
PASSED = ({'generic/001': ('pass', ''), 'generic/002': ('notrun', 'no reflink')}, None, None)
# (name, made-up boots in order, results wanted, boots wanted, text the
#  runner must print; an exit is wanted when results is None)
XFSTESTS_CASES = [
    ('xfstests: a guest that did not start boots again', [NOSTART, PASSED],
     {'generic/001': ['pass', ''], 'generic/002': ['notrun', 'no reflink']}, 2, 'booting again'),
    ('xfstests: three boots that do not start stop the run', [NOSTART] * 3, None, 3,
     'did not start in 3 boots'),
]


def xfstests_cases(first):
    """xfstests.run_chunk() on two tests, its boots replaced by made-up ones."""
    sys.path.insert(0, os.path.join(TOP, 'scripts'))
    import xfstests
    failed = 0
    for n, (name, boots, want, want_boots, text) in enumerate(XFSTESTS_CASES, first):
        with tempfile.TemporaryDirectory() as tmp:
            xfstests.XT, xfstests.LOGS = tmp, tmp
            os.makedirs(xfstests.kept('vfat', 'c'))
            todo = list(boots)

            def boot(engine, fs, run, *rest, todo=todo):
                with open(os.path.join(run, 'console.log'), 'w') as f:
                    f.write('Oops: int3\n')
                return todo.pop(0)
            xfstests.boot = boot
            data = {'boots': 0, 'seconds': 0, 'results': {}}
            out, err = io.StringIO(), ''
            with contextlib.redirect_stdout(out):
                try:
                    xfstests.run_chunk('c', 'vfat', ['generic/001', 'generic/002'], data, 60, 60, None)
                except SystemExit as e:
                    err = str(e)
        said = out.getvalue() + err
        good = (data['boots'] == want_boots and not todo and text in said
                and (data['results'] == want if want is not None else bool(err)))
        failed += not good
        print(f'{"ok" if good else "not ok"} {n} - runner:{name}')
        if not good:
            print(f'# boots {data["boots"]}, results {data["results"]}; output:\n# '
                  + said.replace('\n', '\n# '))
    return failed


def xfstests_deadline_case(n):
    """xfstests.run_fs() on three tests in one chunk that the deadline cuts:
    C finished two, Rust one; only the one both finished is kept."""
    sys.path.insert(0, os.path.join(TOP, 'scripts'))
    import xfstests
    boots = {'c': ({'generic/001': ('pass', ''), 'generic/002': ('notrun', 'no reflink')},
                   'generic/003', 'deadline'),
             'rust': ({'generic/001': ('pass', '')}, 'generic/002', 'deadline')}
    with tempfile.TemporaryDirectory() as tmp:
        xfstests.XT, xfstests.LOGS = tmp, tmp
        xfstests.boot = lambda engine, *rest: boots[engine]
        xfstests.kernel_id = lambda engine: engine
        args = types.SimpleNamespace(resume=False, chunk=16, limit=60, soak=60)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            done, datas = xfstests.run_fs('vfat', ['c', 'rust'],
                                          ['generic/001', 'generic/002', 'generic/003'], args, 1)
    want = {'generic/001': ['pass', '']}
    good = (not done and all(datas[e]['results'] == want for e in ('c', 'rust'))
            and '1 of the 3 tests' in out.getvalue())
    print(f'{"ok" if good else "not ok"} {n} - runner:xfstests: a deadline keeps the tests both engines finished')
    if not good:
        print(f'# done {done}, results {[datas[e]["results"] for e in datas]}; output:\n# '
              + out.getvalue().replace('\n', '\n# '))
    return 0 if good else 1


def fault_trace_case(n):
    """scripts/fault_trace.py on two made-up traced boots: the first pinned
    operation whose allocations differ is named, with the failed one."""
    def trace(extra):
        t = '# TRACE         dio_fuzz-65      [000] {} {:>12}: {}\n'
        lines = [t.format('.....', '15.1', 'tracing_mark_write: dio_fuzz arm vfat-4096 190 4 nth=2 bio=0'),
                 t.format('...1.', '15.2', 'kmem_cache_alloc: call_site=__blockdev_direct_IO+0x1d/0xb0 '
                          'ptr=0000000000000000 bytes_req=704 bytes_alloc=704 gfp_flags=GFP_KERNEL node=-1'),
                 t.format('.....', '15.3', 'tracing_mark_write: dio_fuzz disarm fired=1'),
                 t.format('.....', '15.4', 'tracing_mark_write: dio_fuzz arm vfat-4096 190 8 nth=3 bio=1'),
                 t.format('...1.', '15.5', 'block_bio_queue: 254,0 WS 296 + 24 [dio_fuzz]')]
        lines += [t.format('d.h2.', '15.6', 'kmalloc: call_site=kmem_cache_free+0x17c/0x370 '
                           'ptr=(____ptrval____) bytes_req=24 bytes_alloc=64 gfp_flags=GFP_NOWAIT node=-1')]
        lines += extra
        lines += [t.format('.....', '15.9', 'tracing_mark_write: dio_fuzz disarm fired=1')]
        return 'ok 1 - fuzz:vfat-4096:190 # hash=0\n' + ''.join(lines)
    extra = ['# TRACE         dio_fuzz-65      [000] ...2.         15.7: kmem_cache_alloc: '
             'call_site=mempool_alloc_noprof+0xef/0x420 ptr=0000000000000000 bytes_req=256 '
             'bytes_alloc=320 gfp_flags=GFP_ATOMIC node=-1\n']
    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, 'a.log'), os.path.join(tmp, 'b.log')
        for path, log in ((a, trace([])), (b, trace(extra))):
            with open(path, 'w') as f:
                f.write(log)
        tool = os.path.join(TOP, 'scripts', 'fault_trace.py')
        p = subprocess.run([sys.executable, tool, a, b], capture_output=True, text=True)
        one = subprocess.run([sys.executable, tool, a], capture_output=True, text=True)
    good = (p.returncode == 1 and 'first difference: vfat-4096 190 8 nth=3 bio=1 fired=1' in p.stdout
            and '+task kmem_cache_alloc mempool_alloc_noprof 256 GFP_ATOMIC ptr=NULL' in p.stdout
            and one.returncode == 0
            and 'task kmem_cache_alloc __blockdev_direct_IO 704 GFP_KERNEL ptr=NULL' in one.stdout
            and 'irq kmalloc kmem_cache_free 24 GFP_NOWAIT' in one.stdout)
    print(f'{"ok" if good else "not ok"} {n} - runner:fault_trace: the first pinned operation that differs')
    if not good:
        print('# ' + (p.stdout + p.stderr + one.stdout + one.stderr).replace('\n', '\n# '))
    return 0 if good else 1


def test_sh_case(n):
    """scripts/test.sh with a guest run that dies before its verdict (a full
    disk, say): counted failed, the end of its output shown, and the run
    goes on to its summary and totals instead of stopping silently."""
    stubs = {
        'scripts/build-kernel.sh': 'exit 0\n',
        'scripts/vm-test.sh': 'echo "rustdio: error: no room for the disk images"; exit 1\n',
        'scripts/selftest-boot.sh': 'echo "runner-boot: 1 passed, 0 failed"\n',
        'tests/runner_selftest.py': 'print("runner: 1 passed, 0 failed")\n',
    }
    with tempfile.TemporaryDirectory() as tmp:
        for d in ('scripts', 'tests'):
            os.mkdir(os.path.join(tmp, d))
        for f in ('scripts/test.sh', 'scripts/lib.sh', 'scripts/faults_table.py'):
            shutil.copy(os.path.join(TOP, f), os.path.join(tmp, f))
        for f, body in stubs.items():
            with open(os.path.join(tmp, f), 'w') as fh:
                fh.write(body if f.endswith('.py') else '#!/bin/bash\n' + body)
            os.chmod(os.path.join(tmp, f), 0o755)
        env = {k: v for k, v in os.environ.items() if not k.startswith('RUSTDIO_') and k != 'ARCH'}
        env.update(RUSTDIO_BUILD=os.path.join(tmp, 'build'), RUSTDIO_FUZZ_SLICE='0')
        p = subprocess.run(['bash', os.path.join(tmp, 'scripts/test.sh'), 'guest', 'c'],
                           capture_output=True, text=True, env=env, timeout=60)
    out = p.stdout.splitlines()
    good = (p.returncode == 1 and 'c-guest: no verdict; the end of' in p.stdout
            and '  rustdio: error: no room for the disk images' in out and '== summary ==' in out
            and out[-1:] == ['2 passed, 1 failed, 1 skipped'])
    print(f'{"ok" if good else "not ok"} {n} - runner:test.sh: a guest run without a verdict fails, shown, '
          'and the totals follow')
    if not good:
        print('# rc %d, output:\n# %s' % (p.returncode, (p.stdout + p.stderr).replace('\n', '\n# ')))
    return 0 if good else 1


def make_cases():
    """`make -n` with each case's variables: a bad value stops make while it
    reads the Makefile (`Makefile:N: *** ...`), a good one is accepted."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('MAKE') and k != 'MFLAGS'}
    failed = 0
    for n, (args, want) in enumerate(MAKE_CASES, len(CASES) + 1):
        p = subprocess.run(['make', '-n', '--no-print-directory', '-C', TOP] + args.split(),
                           capture_output=True, text=True, env=env, timeout=60)
        if want is None:
            good = p.returncode == 0
        else:
            err = [ln for ln in p.stderr.splitlines() if '***' in ln]
            good = (p.returncode != 0 and len(err) == 1 and err[0].startswith('Makefile:')
                    and want in err[0])
        failed += not good
        print(f'{"ok" if good else "not ok"} {n} - runner:make {args}')
        if not good:
            print('# rc %d, stderr:\n# %s' % (p.returncode, p.stderr.strip().replace('\n', '\n# ')))
    return failed


def main():
    failed = 0
    for n, (name, log, progs, want_rc, want_text, *suite) in enumerate(CASES, 1):
        with tempfile.NamedTemporaryFile('w', suffix='.log', delete=False) as f:
            f.write(log)
        env = dict(os.environ, RUSTDIO_SUITE=suite[0] if suite else 'quick')
        p = subprocess.run([sys.executable, VERDICT, f.name, 'selftest'] + progs, capture_output=True, text=True,
                           env=env)
        os.unlink(f.name)
        good = p.returncode == want_rc and want_text in p.stdout
        failed += not good
        print(f'{"ok" if good else "not ok"} {n} - runner:{name}')
        if not good:
            print('# rc %d, output:\n# %s' % (p.returncode, p.stdout.replace('\n', '\n# ')))
    failed += make_cases()
    failed += fuzz_cases(len(CASES) + len(MAKE_CASES) + 1)
    failed += fuzz_two_programs_case(len(CASES) + len(MAKE_CASES) + len(FUZZ_CASES) + 1)
    failed += fuzz_crash_case(len(CASES) + len(MAKE_CASES) + len(FUZZ_CASES) + 2)
    failed += xfstests_cases(len(CASES) + len(MAKE_CASES) + len(FUZZ_CASES) + 3)
    total = len(CASES) + len(MAKE_CASES) + len(FUZZ_CASES) + len(XFSTESTS_CASES) + 3
    failed += xfstests_deadline_case(total)
    total += 1
    failed += fault_trace_case(total)
    total += 1
    failed += test_sh_case(total)
    print(f'runner: {total - failed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
