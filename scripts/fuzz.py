#!/usr/bin/env python3
"""Differential runs of seeded O_DIRECT programs (tests/dio_fuzz.c) on the C
and the Rust engine: the same programs on both kernels must give the same
log.  A divergence fails the run; it is re-run with the whole log on both
kernels, its first differing operation printed, and the program minimized
(delta debugging over its operations, every candidate run on both kernels)
into build/logs/<name>-min-<label>-<id>.txt, a program list dio_fuzz replays
(scripts/fuzz.py --replay <file>).

The kernels must be built (scripts/build-kernel.sh <engine> <variant>).
Prints "<name>: N passed, N failed" last, one case per program and disk.
"""
import argparse
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get('RUSTDIO_BUILD', os.path.join(TOP, 'build'))
LOGS = os.path.join(BUILD, 'logs')
RESULT = re.compile(r'^ok \d+ - fuzz:(\S+):(\d+) # hash=([0-9a-f]+)(?:.* stale=(\d+))?')
NOTOK = re.compile(r'^not ok \d+ - fuzz:(\S+):(\d+)')
BEGIN = re.compile(r'^# RUSTDIO-PROG-BEGIN fuzz:(\S+)')
LOGLINE = re.compile(r'^# (\d+) (.*)$')
VERDICT = re.compile(r'^\S+: \d+ passed, \d+ failed')


# Both engines' boots run in threads: one line at a time.
PRINT = threading.Lock()


def say(msg):
    with PRINT:
        print(f'[fuzz {time.strftime("%H:%M:%S")}] {msg}', flush=True)


class Run:
    """One boot of one kernel with a program list."""

    def __init__(self, args, engine, tag, programs, log=False):
        self.results, self.logs, self.stale = {}, {}, []
        self.problem = None
        # Programs with no result from a boot that ended in a problem.
        self.lost = set()
        path = os.path.join(BUILD, f'fuzz-{tag}.list')
        with open(path, 'w') as f:
            for p in programs:
                f.write(' '.join(str(x) for x in p) + '\n')
        labels = sorted({p[0] for p in programs})
        ops = sum(p[3] if p[4] == 'all' else p[4].count(',') + 1 for p in programs)
        env = dict(os.environ,
                   RUSTDIO_SUITE='fuzz-faults' if args.faults else 'fuzz',
                   RUSTDIO_FS=' '.join(sorted({l.rsplit('-', 1)[0] for l in labels})),
                   RUSTDIO_LBS=' '.join(sorted({l.rsplit('-', 1)[1] for l in labels})),
                   RUSTDIO_FUZZ_LIST=path, RUSTDIO_FUZZ_LOG='1' if log else '0',
                   RUSTDIO_ALLOC_TRACE='1' if getattr(args, 'alloc_trace', False) else '0',
                   RUSTDIO_TAG=tag,
                   **({'RUSTDIO_KERNEL': args.kernel[engine]} if engine in args.kernel else {}),
                   # Boot, image copies, then about 10 ms per operation
                   # under TCG (50 on the debug kernel), with room to spare.
                   RUSTDIO_TIMEOUT=str(int(300 + 60 * len(labels) +
                                           ops * (0.25 if args.variant == 'debug' else 0.05) * 3)))
        # A kernel, a program list and the guest side unchanged give the
        # same results: the C side of make mutants CORPUS=fuzz runs once.
        kobj = args.kernel.get(engine) or os.path.join(
            BUILD, f'kernel-{engine}-{args.variant}' + ('-arm64' if os.environ.get('RUSTDIO_ARCH') == 'arm64' else ''))
        key = hashlib.sha1()
        for part in (os.path.join(kobj, 'arch/x86/boot/bzImage'), os.path.join(kobj, 'arch/arm64/boot/Image'),
                     os.path.join(TOP, 'tests/dio_fuzz.c'), os.path.join(TOP, 'tests/guest-init.sh'), path):
            if os.path.exists(part):
                with open(part, 'rb') as f:
                    key.update(hashlib.sha1(f.read()).digest())
        key.update(f'{args.faults} {log} {env["RUSTDIO_FS"]} {env["RUSTDIO_LBS"]} '
                   f'{env["RUSTDIO_ALLOC_TRACE"]}'.encode())
        cache = os.path.join(BUILD, 'fuzz-cache', key.hexdigest() + '.json')
        if os.path.exists(cache) and not args.no_cache:
            with open(cache) as f:
                c = json.load(f)
            self.results = {tuple(k.split('\t')[:1]) + (int(k.split('\t')[1]),): v for k, v in c['results'].items()}
            self.logs = {tuple(k.split('\t')[:1]) + (int(k.split('\t')[1]),): v for k, v in c['logs'].items()}
            self.problem = c['problem']
            self.stale = [tuple(x) for x in c.get('stale', [])]
            say(f'{engine}: results of an identical earlier run ({cache})')
            return
        outpath = os.path.join(LOGS, f'{tag}.out')
        conslog = os.path.join(LOGS, f'{tag}.log')
        with open(outpath, 'w') as out:
            proc = subprocess.Popen([os.path.join(TOP, 'scripts', 'vm-test.sh'), engine, args.variant],
                                    env=env, stdout=out, stderr=subprocess.STDOUT)
            # Progress: programs done, every 5 s on a terminal, every 60 s otherwise.
            every, t0, last = (5 if sys.stderr.isatty() else 60), time.time(), time.time()
            while proc.poll() is None:
                time.sleep(1)
                if time.time() - last >= every:
                    last = time.time()
                    try:
                        with open(conslog, errors='replace') as f:
                            done = sum(1 for l in f if RESULT.match(l) or NOTOK.match(l))
                    except OSError:
                        done = 0
                    with PRINT:
                        print(f'[fuzz {time.strftime("%H:%M:%S")}] {engine}: {done} of '
                              f'{len(programs)} programs, {int(time.time() - t0)} s',
                              file=sys.stderr, flush=True)
        if proc.returncode != 0:
            with open(outpath, errors='replace') as f:
                probs = [l.rstrip() for l in f if 'PROBLEM' in l or l.startswith('not ok')]
            # A program whose set-up failed is a result of its own
            # ('setup-failed', never a pass); anything else fails the boot.
            other = [l for l in probs if not (l.startswith('not ok') and '# set-up failed:' in l)]
            if other or not probs:
                self.problem = '; '.join(other[:5]) or f'vm-test.sh exited {proc.returncode}'
        # The programs replay from their list: a failed boot's disk copies,
        # which vm-test.sh keeps for inspection, would only pile up here.
        shutil.rmtree(os.path.join(BUILD, f'run-{tag}'), ignore_errors=True)
        label = None
        with open(conslog, errors='replace') as f:
            for line in f:
                line = line.rstrip('\r\n')
                m = BEGIN.match(line)
                if m:
                    label = m.group(1)
                    continue
                m = RESULT.match(line)
                if m:
                    self.results[(m.group(1), int(m.group(2)))] = m.group(3)
                    if m.group(4) and m.group(4) != '0':
                        self.stale.append((m.group(1), int(m.group(2)), int(m.group(4))))
                    continue
                m = NOTOK.match(line)
                if m:
                    self.results[(m.group(1), int(m.group(2)))] = 'setup-failed'
                    continue
                m = LOGLINE.match(line)
                if m and log and label:
                    self.logs.setdefault((label, int(m.group(1))), []).append(m.group(2))
        if self.problem:
            self.lost = {(p[0], p[1]) for p in programs if (p[0], p[1]) not in self.results}
        else:
            os.makedirs(os.path.dirname(cache), exist_ok=True)
            with open(cache, 'w') as f:
                json.dump({'results': {f'{k[0]}\t{k[1]}': v for k, v in self.results.items()},
                           'logs': {f'{k[0]}\t{k[1]}': v for k, v in self.logs.items()},
                           'problem': self.problem, 'stale': self.stale}, f)


def run_pair(args, tag, programs, log=False):
    """Boot both kernels with the same programs, at the same time: each TCG
    guest keeps one host CPU busy."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(Run, args, e, f'{args.tag}-{e}{i}-{args.variant}-{tag}', programs, log)
                   for i, e in enumerate(args.engines)]
        return [f.result() for f in futures]


def line_at(log, n):
    return log[n] if n < len(log) else '(end of log)'


def first_difference(a, b):
    for i in range(max(len(a), len(b))):
        x, y = line_at(a, i), line_at(b, i)
        if x != y:
            return i, x, y
    return None


def parting(logs):
    """The first log line at which two of `logs` differ, or None."""
    lines = [d[0] for i, x in enumerate(logs) for y in logs[i + 1:] if (d := first_difference(x, y))]
    return min(lines) if lines else None


def differs_before(ref, logs, n):
    """The first difference of one of `logs` from `ref` that comes before log
    line n, or None."""
    for log in logs:
        d = first_difference(ref, log)
        if d and d[0] < n:
            return d
    return None


def op_index(line):
    parts = line.split()
    return int(parts[0]) if parts and parts[0].isdigit() else None


def diverges(runs, key):
    """Whether the boots `runs` of the two kernels disagree on program key:
    different results, or one kernel's boot ended while running it (a
    crash, a kernel report that panicked the guest, a hang) and the other
    kernel's did not."""
    ha, hb = (r.results.get(key) for r in runs)
    if ha and hb:
        return ha != hb
    return any(h and h != 'setup-failed' and key in r.lost
               for h, r in ((ha, runs[1]), (hb, runs[0])))


def ended(args, runs, key):
    """'<engine>: <problem>' for the kernel whose boot ended during program
    key, or None."""
    for e, r in zip(args.engines, runs):
        if key in r.lost:
            return f'{e}: {r.problem or "its boot ended"}'
    return None


def minimize(args, prog, deadline, la, lb):
    """ddmin over the operation indices of prog, starting from the logs la
    and lb of a divergent run; returns the smallest program found that
    still diverges, the logs of its last run on both kernels, why there is
    none, and which kernel's boot ended during it.  Each candidate runs in
    boots of both kernels (run_boots): a candidate that takes one kernel
    down is a divergence, and the candidates after it run in fresh boots."""
    label, pid, seed, nops, _ = prog
    diff = first_difference(la, lb)
    if diff is None:
        return None, None, 'not reproduced on a second run', None
    i, x, y = diff
    k = op_index(x) if op_index(x) is not None else op_index(y)
    cur = list(range(nops)) if k is None or k >= nops else list(range(k + 1))
    n, rnd = 2, 0
    while len(cur) >= 2 and time.time() < deadline:
        size = max(1, len(cur) // n)
        chunks = [cur[j:j + size] for j in range(0, len(cur), size)]
        cands = chunks + ([[o for c in chunks if c is not ch for o in c] for ch in chunks]
                          if len(chunks) > 2 else [])
        lines = [(label, 1000000 + j, seed, nops, ','.join(map(str, c)) or 'none')
                 for j, c in enumerate(cands)]
        rnd += 1
        res = run_boots(args, f'min{pid}-r{rnd}', lines)
        hit = next(((j, c) for j, c in enumerate(cands) if diverges(res, (label, 1000000 + j))), None)
        if hit:
            j, cur = hit
            n = 2 if j < len(chunks) else max(n - 1, 2)
        elif n >= len(cur):
            break
        else:
            n = min(len(cur), 2 * n)
        say(f'{label}:{pid}: round {rnd}, {len(cur)} operations')
    keep = ','.join(map(str, cur))
    final = (label, pid, seed, nops, keep)
    runs = run_boots(args, f'min{pid}-final', [final])
    la, lb = (r.logs.get((label, pid), []) for r in runs)
    if first_difference(la, lb) is None and not diverges(runs, (label, pid)):
        # The last round's divergence did not repeat: what differs depends
        # on timing the program does not fix.  Keep the whole program.
        return None, None, (f'the minimized program ({keep}) gave the same log on both kernels '
                            f'when run again: the divergence depends on timing'), None
    return final, (la, lb), None, ended(args, runs, (label, pid))


def report(args, prog, final, logs, why, down=None):
    label, pid, seed, nops, _ = prog
    path = os.path.join(LOGS, f'{args.tag}-min-{label}-{pid}.txt')
    with open(path, 'w') as f:
        f.write(f'# divergence: {label} program {pid} (seed {seed}, {nops} operations), '
                f'engines {" ".join(args.engines)}, {args.variant} kernel'
                f'{", faults pinned" if args.faults else ""}\n')
        if why:
            f.write(f'# {why}\n')
            f.write(' '.join(map(str, prog)) + '\n')
            return path
        if down:
            f.write(f'# the boot ended during this program on {down}\n')
        d = first_difference(*logs)
        if d:
            f.write(f'# first difference at log line {d[0]}:\n#   {args.engines[0]}: {d[1]}\n'
                    f'#   {args.engines[1]}: {d[2]}\n')
        f.write('# replay: scripts/fuzz.py --replay <this file> (or make fuzz REPLAY=<this file>)\n')
        f.write(' '.join(map(str, final)) + '\n')
        for e, log in zip(args.engines, logs):
            f.write(f'# --- {e} ---\n')
            for line in log:
                f.write(f'#   {line}\n')
    return path


class Merged:
    """The results of several boots of one kernel, as one Run."""

    def __init__(self):
        self.results, self.logs, self.stale, self.problem, self.lost = {}, {}, [], None, set()

    def add(self, run):
        self.results.update(run.results)
        self.logs.update(run.logs)
        self.stale += run.stale
        # A later boot's outcome replaces an earlier one's.
        self.lost = (self.lost - set(run.results)) | run.lost
        for key in run.lost:
            self.results.pop(key, None)
        if run.problem:
            self.problem = '; '.join(x for x in (self.problem, run.problem) if x)


def run_boots(args, tag, programs):
    """run_pair, then fresh boots for what a boot did not get to run.  A
    program can leave its filesystem unmountable (an injected fault that
    damaged metadata) and the device held, so that every later set-up in
    that boot fails (EBUSY): the programs from the first failed set-up on
    run again in a new boot of both kernels, unless the set-up failed as the
    first program of its disk in a boot (then it is a result of its own).
    A boot that ends early (a kernel crash, a timeout) loses the program it
    was running, which counts as failed, and the programs after it run in a
    new boot."""
    merged = [Merged() for _ in args.engines]
    rest, boot = programs, 0
    while rest:
        # The whole log from the first boot on: a divergence that does not
        # repeat in the recheck is still named by its operation.
        for m, r in zip(merged, run_pair(args, tag if not boot else f'{tag}-boot{boot}', rest, log=True)):
            m.add(r)
        again = []
        for label in dict.fromkeys(p[0] for p in rest):
            ps = [p for p in rest if p[0] == label]
            for i, p in enumerate(ps):
                key = (p[0], p[1])
                if any(key in m.lost for m in merged):
                    say(f'{label}: the boot ended during program {p[1]}: the programs after it '
                        f'in a fresh boot')
                    again += ps[i + 1:]
                    break
                if any(m.results.get(key) == 'setup-failed' for m in merged):
                    if i > 0:
                        say(f'{label}: set-up failed from program {p[1]} on, after program '
                            f'{ps[i - 1][1]}: those programs again in a fresh boot')
                        again += ps[i:]
                    break
        rest, boot = again, boot + 1
    return merged


def run_chunks(args, tag, programs):
    """Run programs in boots of at most args.chunk programs of one disk each.
    Each boot's results are cached, so an interrupted corpus run started
    again boots only for the chunks it has not finished."""
    if args.chunk <= 0:
        return run_boots(args, tag, programs)
    by_disk = {}
    for p in programs:
        by_disk.setdefault(p[0], []).append(p)
    chunks = [(label, ps[i:i + args.chunk]) for label, ps in by_disk.items()
              for i in range(0, len(ps), args.chunk)]
    if len(chunks) == 1:
        return run_boots(args, tag, programs)
    merged = [Merged() for _ in args.engines]
    for k, (label, ps) in enumerate(chunks):
        say(f'chunk {k + 1} of {len(chunks)}: {label}, {len(ps)} programs')
        for m, r in zip(merged, run_boots(args, f'{tag}-{label}-{ps[0][1]}', ps)):
            m.add(r)
    return merged


LOST = 'lost'


def differs_again(args, engine, tag, items, boots=3):
    """Boots `engine` up to `boots` more times with the programs of `items`
    ((program, reference log) pairs), each boot with the programs whose logs
    matched their reference so far and the whole logs.  Returns {key: the
    first difference from the reference, LOST if a boot that ended early
    did not run it, or None if every boot gave it} and the boots' problems."""
    found = {(p[0], p[1]): None for p, _ in items}
    problems = []
    for k in range(boots):
        todo = [(p, ref) for p, ref in items if found[(p[0], p[1])] is None]
        if not todo:
            break
        fresh = copy.copy(args)
        fresh.no_cache = True
        r = Run(fresh, engine, f'{args.tag}-{engine}-again{k}-{args.variant}-{tag}', [p for p, _ in todo], log=True)
        if r.problem:
            problems.append(r.problem)
        for p, ref in todo:
            key = (p[0], p[1])
            # An empty log from a crashed boot is not a second opinion.
            found[key] = LOST if key in r.lost else first_difference(ref, r.logs.get(key, []))
    return found, problems


def compare(args, tag, programs, deadline):
    runs = run_chunks(args, tag, programs)
    passed = failed = 0
    divergent, crashed, first = [], [], {}
    for r, e in zip(runs, args.engines):
        if r.problem:
            say(f'{e}: the run failed: {r.problem}')
            failed += 1
        for label, pid, n in r.stale:
            # A write that fails with an injected I/O error leaves blocks the
            # filesystem already gave the file with what the disk held:
            # without unwritten extents that is the image's pattern, on
            # either engine.  Without faults it is stale data exposed.
            if args.faults:
                say(f'{e}: {label} program {pid}: {n} reads returned the image fill pattern '
                    f'(after an injected write error; the same on both engines if the logs agree)')
                continue
            say(f'STALE DATA {e}: {label} program {pid}: {n} reads returned the image fill pattern')
            failed += 1
    for p in programs:
        key = (p[0], p[1])
        ha, hb = (r.results.get(key) for r in runs)
        if ha is None and hb is None:
            if any(key in r.lost for r in runs):
                failed += 1
                say(f'LOST {p[0]} program {p[1]} seed {p[2]}: no result on either kernel '
                    f'(its boot ended early)')
            # else the disk is not in this run (its image cannot be made)
            continue
        if ha and ha == hb and ha != 'setup-failed':
            passed += 1
            continue
        failed += 1
        say(f'DIVERGENCE {p[0]} program {p[1]} seed {p[2]}: '
            f'{args.engines[0]} {ha or "missing"}, {args.engines[1]} {hb or "missing"}')
        d = first[key] = first_difference(*(r.logs.get(key, []) for r in runs))
        if d and all(key in r.logs for r in runs):
            print(f'    first boots differ at log line {d[0]}:\n    {args.engines[0]}: {d[1]}\n'
                  f'    {args.engines[1]}: {d[2]}', flush=True)
        if ha and hb and 'setup-failed' not in (ha, hb):
            divergent.append(p)
        elif diverges(runs, key):
            # One kernel went down in this program and the other did not.
            # The minimizer runs it again on both kernels, and a smaller
            # program that still takes that kernel down shows where.
            say(f'{p[0]} program {p[1]}: the boot ended during it on {ended(args, runs, key)}')
            crashed.append((p, *(r.logs.get(key, []) for r in runs)))
    if not divergent:
        minimize_all(args, crashed, deadline)
        return passed, failed, 0
    # Each divergence again, with whole logs: the reference engine twice, so
    # that a program whose result differs between two boots of the same
    # kernel is told apart from a difference between the engines.
    a, b = args.engines
    ra1, rb = run_pair(args, f'{tag}-recheck', divergent, log=True)
    saved, args.no_cache = args.no_cache, True
    ra2 = Run(args, a, f'{args.tag}-{a}-again-{args.variant}-{tag}', divergent, log=True)
    args.no_cache = saved
    # The recheck's boots are judged like the first ones: a kernel report
    # fails the run, and a program a crash kept from running stays failed.
    for e, r in ((a, ra1), (b, rb), (a, ra2)):
        if r.problem:
            say(f'{e}: a recheck boot failed: {r.problem}')
            failed += 1
    skipped, real, same = 0, [], []
    for p in divergent:
        key = (p[0], p[1])
        if any(key in r.lost for r in (ra1, rb, ra2)):
            say(f'LOST {p[0]} program {p[1]}: a recheck boot ended before it ran')
            continue
        la1, la2, lb = ra1.logs.get(key, []), ra2.logs.get(key, []), rb.logs.get(key, [])
        # The first boot's log, where it has one, is a third boot of the
        # reference kernel.
        la0 = runs[0].logs.get(key)
        lb0 = runs[1].logs.get(key)
        d = first_difference(la1, la2) or (la0 is not None and first_difference(la0, la1))
        if d:
            # Not a verdict on either engine past the line where the boots of
            # the reference kernel part: the filesystem (or the kernel around
            # the engine) does not repeat itself there.  Up to that line the
            # reference kernel did repeat itself, and the other must agree.
            refs = [log for log in (la0, la1, la2) if log is not None]
            n = parting(refs)
            mine = [log for log in (lb0, lb) if log is not None]
            e = differs_before(la1, mine, n)
            if e:
                # Which of its boots: one that agrees there says its result
                # varies from boot to boot (still a failure: C's did not).
                which = ('' if lb0 is None else
                         ' on both of its boots' if all(differs_before(la1, [x], n) for x in (lb0, lb)) else
                         ' on its first boot (its recheck agrees up to there)' if differs_before(la1, [lb0], n) else
                         ' on its recheck (its first boot agrees up to there)')
                say(f'{p[0]} program {p[1]}: the boots of the {a} kernel agree up to log line {n}, '
                    f'and the {b} kernel differs before it{which}, at log line {e[0]}:'
                    f'\n    {a}: {e[1]}\n    {b}: {e[2]}')
                report(args, p, None, None, f'{a} boots agree up to log line {n}; {b} differs at log line '
                       f'{e[0]}: {a}: {e[1]} / {b}: {e[2]}')
                continue
            failed -= 1
            skipped += 1
            known = {line_at(log, n) for log in refs}
            which = 'one of theirs' if all(line_at(log, n) in known for log in mine) else 'a line none of them gave'
            say(f'{p[0]} program {p[1]}: SKIP: two boots of the {a} kernel differ, at log line {n}:'
                f'\n    {line_at(refs[0], n)}\n    {next(x for x in known if x != line_at(refs[0], n))}'
                f'\n    the {b} kernel\'s logs agree with them up to there, and give there {which}')
            continue
        d = first_difference(la1, lb)
        if not d:
            same.append((p, la1))
            continue
        real.append((p, la1, lb))
        say(f'{p[0]} program {p[1]}: first difference at log line {d[0]}:\n    {a}: {d[1]}\n    {b}: {d[2]}')
    # Two equal boots of the reference kernel do not show that it repeats
    # itself: three more (all such programs in each boot) before the other
    # kernel is blamed.  Beside them three boots of the other kernel with
    # the whole logs (its first boot kept only a hash) show which operation
    # changes.
    with ThreadPoolExecutor(max_workers=2) as pool:
        fa = pool.submit(differs_again, args, a, tag, same)
        fb = pool.submit(differs_again, args, b, tag, same)
        (again, pa), (seen_all, pb) = fa.result(), fb.result()
    for e, problems in ((a, pa), (b, pb)):
        for problem in problems:
            say(f'{e}: a further boot failed: {problem}')
            failed += 1
    varies = []
    for p, la1 in same:
        key = (p[0], p[1])
        d = again[key]
        if LOST in (d, seen_all[key]):
            say(f'LOST {p[0]} program {p[1]}: a further boot ended before it ran')
            continue
        lb0 = runs[1].logs.get(key)
        e = d and differs_before(la1, [lb0] if lb0 is not None else [], d[0])
        if e:
            # The reference kernel's further boots part later than the other
            # kernel's first boot did: that difference is the other's own.
            say(f'{p[0]} program {p[1]}: the {b} kernel\'s first boot differs at log line {e[0]}, before '
                f'the boots of the {a} kernel part (log line {d[0]}): its result varies from boot to boot:'
                f'\n    {a}: {e[1]}\n    {b}: {e[2]}')
            report(args, p, None, None, f'{b} varies between boots; {a} boots agree up to log line {d[0]}; '
                   f'{b} differs at log line {e[0]}: {a}: {e[1]} / {b}: {e[2]}')
        elif d:
            failed -= 1
            skipped += 1
            say(f'{p[0]} program {p[1]}: SKIP: boots of the {a} kernel differ, at log line {d[0]}:'
                f'\n    {d[1]}\n    {d[2]}')
        else:
            varies.append((p, la1))
    for p, la1 in varies:
        seen = seen_all[(p[0], p[1])]
        d0 = first.get((p[0], p[1]))
        what = (f'at log line {seen[0]}:\n    {a}: {seen[1]}\n    {b}: {seen[2]}' if seen else
                'not seen again in three more boots with the whole log' +
                (f'; its first boot differed at log line {d0[0]}:\n    {a}: {d0[1]}\n    {b}: {d0[2]}'
                 if d0 else ''))
        say(f'{p[0]} program {p[1]}: the {b} kernel gave the {a} result on a second boot: '
            f'its result varies from boot to boot (the {a} kernel\'s did not); {what}')
        report(args, p, None, None, f'{b} varies between boots; {a} repeats itself; ' +
               (f'differs at log line {seen[0]}: {a}: {seen[1]} / {b}: {seen[2]}' if seen else
                what.replace('\n   ', ' /')))
    minimize_all(args, real + crashed, deadline)
    return passed, failed, skipped


def minimize_all(args, items, deadline):
    """Minimize the first args.max_minimize of items ((program, log of
    each kernel) triples) and report each."""
    for p, la, lb in items[:args.max_minimize]:
        final, logs, why, down = minimize(args, p, deadline, la, lb)
        path = report(args, p, final, logs, why, down)
        if why:
            say(f'{p[0]} program {p[1]}: {why}; program in {path}')
            continue
        kept = final[4].count(',') + 1
        d = first_difference(*logs)
        say(f'{p[0]} program {p[1]}: minimized to {kept} operations, in {path}'
            + (f'; the boot ended during it on {down}' if down else ''))
        if d:
            print(f'    {args.engines[0]}: {d[1]}\n    {args.engines[1]}: {d[2]}')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--engines', default='c rust')
    ap.add_argument('--variant', default='guest')
    ap.add_argument('--fs', default='vfat msdos exfat udf jfs nilfs2 ntfs3 hfs reiserfs ocfs2')
    ap.add_argument('--lbs', default='512 4096')
    ap.add_argument('--labels', default=None,
                    help='disks as <fs>-<lbs> (instead of every --fs with every --lbs)')
    ap.add_argument('--seeds', type=int, default=200, help='programs per disk (per round)')
    ap.add_argument('--seed0', type=int, default=1)
    ap.add_argument('--ops', type=int, default=200)
    ap.add_argument('--duration', type=int, default=0,
                    help='run rounds of new seeds until this many seconds have passed')
    ap.add_argument('--faults', action='store_true', help='pin faults with fail-nth')
    ap.add_argument('--replay', help='a program list (e.g. a fuzz-min-*.txt file)')
    ap.add_argument('--no-cache', action='store_true', help='boot both kernels even for a known result')
    ap.add_argument('--alloc-trace', action='store_true',
                    help='trace dio_fuzz\'s allocations and bios at each pinned operation into the '
                    'console log (with --faults; read with scripts/fault_trace.py)')
    ap.add_argument('--chunk', type=int, default=0,
                    help='programs per boot, each boot of one disk (default: all programs in one boot)')
    ap.add_argument('--max-minimize', type=int, default=3)
    ap.add_argument('--minimize-budget', type=int, default=1800, help='seconds')
    ap.add_argument('--name', default=None, help='name of the verdict line')
    ap.add_argument('--kernel', action='append', default=[], metavar='ENGINE=OBJDIR',
                    help='boot the kernel built in OBJDIR for ENGINE (make mutants CORPUS=fuzz)')
    args = ap.parse_args()
    args.engines = args.engines.split()
    args.kernel = dict(k.split('=', 1) for k in args.kernel)
    if len(args.engines) != 2:
        sys.exit('fuzz.py: --engines needs two engines')
    name = args.name or f'fuzz{"-faults" if args.faults else ""}-{args.variant}'
    args.tag = name
    os.makedirs(LOGS, exist_ok=True)
    start = time.time()
    labels = (args.labels.split() if args.labels else
              [f'{fs}-{lbs}' for fs in args.fs.split() for lbs in args.lbs.split()])
    passed = failed = skipped = programs_run = 0
    rnd, seed = 0, args.seed0
    while True:
        if args.replay:
            with open(args.replay) as f:
                programs = [tuple(int(x) if i in (1, 2, 3) else x
                                  for i, x in enumerate(l.split()))
                            for l in f if l.strip() and not l.startswith('#')]
        else:
            programs = [(l, seed + k, seed + k, args.ops, 'all')
                        for l in labels for k in range(args.seeds)]
        say(f'round {rnd}: {len(programs)} programs of {args.ops} operations on '
            f'{" ".join(sorted({p[0] for p in programs}))}, seeds {seed}..{seed + args.seeds - 1}'
            if not args.replay else f'replaying {len(programs)} programs from {args.replay}')
        p, fl, sk = compare(args, f'r{rnd}', programs, time.time() + args.minimize_budget)
        passed, failed, skipped = passed + p, failed + fl, skipped + sk
        # Not p + fl + sk: a failed boot or stale data on both engines adds
        # failures that are not programs.
        programs_run += len(programs)
        rnd += 1
        seed += args.seeds
        if args.replay or not args.duration or time.time() - start >= args.duration:
            break
    ops = programs_run * args.ops if not args.replay else 0
    say(f'{programs_run} programs{f" ({ops} operations)" if ops else ""} in '
        f'{int(time.time() - start)} s')
    print(f'{name}: {passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
