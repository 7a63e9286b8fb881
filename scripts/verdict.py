#!/usr/bin/env python3
"""Judge a guest console log: count TAP/KTAP results, check every test
program's plan, closing line and exit status, and flag kernel problems.

Usage: verdict.py <console.log> <label> [<program> ...]

The guest runs each test program between "# RUSTDIO-PROG-BEGIN <name>" and
"# RUSTDIO-PROG-END <name> status=<n> taint=<n> debug_locks=<0|1|n/a>"
(tests/guest-init.sh); the programs named on the command line must each
appear.  A run fails on a failed case, on any kernel report below, on a
taint flag other than TAINT_TEST (KUnit sets it), on lockdep turning itself
off, on a program that exits non-zero, lacks its plan or closing line or
reports a different number of cases than planned, and on a guest that does
not reach its end marker.  With pinned faults (RUSTDIO_SUITE=fuzz-faults)
an allocation failure that dio_fuzz, the task the faults are pinned on, reports
through warn_alloc() is the injected fault, not a kernel problem: its call
trace is noted and not counted.  Prints failures and problems, then
"<label>: N passed, N failed, N skipped"; exit status 0 only if nothing
failed.
"""
import os
import re
import sys

RESULT = re.compile(r'^(\s*)(not ok|ok)\b(?: \d+)?(?: -)? ?(.*)$')
# Most specific first: a lockdep or KASAN report also has a WARNING: or
# BUG: line, and the cause should be named by what reported it.
PROBLEMS = [
    (re.compile(r'KASAN'), 'KASAN report'),
    (re.compile(r'UBSAN'), 'UBSAN report'),
    (re.compile(r'kmemleak: \d+ new suspected'), 'kmemleak report'),
    (re.compile(r'possible (recursive|circular) locking|inconsistent lock state|'
                r'suspicious RCU usage|lock held when returning|bad unlock balance|'
                r'held lock freed|lock held by exiting|possible irq lock inversion|'
                r'INFO: lockdep is turned off'), 'lockdep report'),
    (re.compile(r'blocked for more than \d+ seconds'), 'hung task'),
    (re.compile(r'sleeping function called from invalid context|scheduling while atomic'),
     'sleep in atomic context'),
    (re.compile(r'soft lockup|hard LOCKUP|self-detected stall|rcu: INFO'), 'lockup/stall'),
    (re.compile(r'rustdio: broken invariant'), 'engine invariant broken'),
    (re.compile(r'WARNING:'), 'kernel WARNING'),
    (re.compile(r'\bBUG:'), 'kernel BUG'),
    (re.compile(r'\bOops\b'), 'kernel Oops'),
    (re.compile(r'Kernel panic'), 'kernel panic'),
    (re.compile(r'Call Trace:'), 'call trace'),
]
# warn_alloc()'s header, which a dump_stack() with its call trace follows.
ALLOC_FAILURE = re.compile(r'^(\S+): (?:vmalloc error: |page allocation failure: )')
BEGIN = re.compile(r'^# RUSTDIO-PROG-BEGIN (\S+)')
END = re.compile(r'^# RUSTDIO-PROG-END (\S+) status=(\d+) taint=(\d+) debug_locks=(\S+)')
DONE = re.compile(r'RUSTDIO-GUEST-DONE(?: taint=(\d+) debug_locks=(\S+))?')
PLAN = re.compile(r'^1\.\.(\d+)$')
CLOSING = re.compile(r'^# .*: (\d+) cases, (\d+) failed$')
# kernel/panic.c: taint_flags[], bit order.
TAINT_LETTERS = 'PFSRMBUDAWCIOELKXTN'
TAINT_TEST = 1 << 18


def taint_text(t):
    return ''.join(c for i, c in enumerate(TAINT_LETTERS) if t >> i & 1) or str(t)


class Program:
    def __init__(self, name):
        self.name = name
        self.plan = None
        self.results = self.failed = 0
        self.closing = None
        self.status = None


def main():
    path, label, expected = sys.argv[1], sys.argv[2], sys.argv[3:]
    passed = failed = skipped = 0
    problems = []  # (kind, text); each kind counts as one failure
    done = False
    progs, cur = {}, None
    seen_taint = seen_locks_off = False
    pinned_faults = os.environ.get('RUSTDIO_SUITE') == 'fuzz-faults'
    alloc_trace_until = -1  # the line by which an accepted report's trace starts

    def state(where, taint, locks):
        nonlocal seen_taint, seen_locks_off
        taint = int(taint)
        if taint & ~TAINT_TEST and not seen_taint:
            seen_taint = True
            problems.append(('kernel tainted', f'kernel tainted {taint_text(taint)} ({taint}) {where}'))
        if locks == '0' and not seen_locks_off:
            seen_locks_off = True
            problems.append(('lockdep off', f'lockdep turned itself off (debug_locks=0) {where}'))

    with open(path, errors='replace') as f:
        lines = f.read().splitlines()
    for i, raw in enumerate(lines):
        line = re.sub(r'^\[\s*\d+\.\d+\]\s?', '', raw).rstrip()
        m = DONE.search(line)
        if m:
            done = True
            if m.group(1) is not None:
                state('at the end of the run', m.group(1), m.group(2))
            continue
        m = BEGIN.match(line)
        if m:
            cur = progs[m.group(1)] = Program(m.group(1))
            continue
        m = END.match(line)
        if m:
            name, status, taint, locks = m.groups()
            if name in progs:
                progs[name].status = int(status)
            state(f'after {name}', taint, locks)
            cur = None
            continue
        m = ALLOC_FAILURE.match(line)
        if m and pinned_faults and m.group(1) == 'dio_fuzz':
            alloc_trace_until = i + 8
            print(f'{label}: NOTE injected allocation failure reported (not counted): {line.strip()}')
            continue
        if alloc_trace_until >= i and line.strip() == 'Call Trace:':
            alloc_trace_until = -1
            continue
        for pat, what in PROBLEMS:
            if pat.search(line):
                problems.append((what, f'{what}: {line.strip()}'))
                break
        if cur:
            m = PLAN.match(line)
            if m and cur.plan is None:
                cur.plan = int(m.group(1))
                continue
            m = CLOSING.match(line)
            if m:
                cur.closing = (int(m.group(1)), int(m.group(2)))
                continue
        m = RESULT.match(line)
        if not m:
            continue
        indent, status, rest = m.groups()
        # KUnit suite summary lines (unindented, no " - ") repeat their cases.
        if not indent and ' - ' not in line and not rest.startswith('global:'):
            continue
        if cur:
            cur.results += 1
            cur.failed += status == 'not ok'
        if '# SKIP' in rest:
            skipped += 1
        elif status == 'ok':
            passed += 1
        else:
            failed += 1
            detail = lines[i + 1].strip() if i + 1 < len(lines) and lines[i + 1].lstrip().startswith('#') else ''
            print(f'{label}: FAIL {rest.strip()} {detail}')

    for name in expected:
        if name not in progs:
            problems.append(('lost program', f'program {name} never ran'))
    for p in progs.values():
        what = f'program {p.name}'
        if p.status is None:
            problems.append(('lost program', f'{what} did not finish'))
            continue
        if p.status >= 128:
            problems.append(('program status', f'{what} killed by signal {p.status - 128}'))
        elif p.status and not p.failed:
            problems.append(('program status', f'{what} exited with status {p.status} without a failed case'))
        if p.plan is None:
            problems.append(('lost cases', f'{what} printed no TAP plan'))
        elif p.results != p.plan:
            problems.append(('lost cases', f'{what} reported {p.results} of {p.plan} planned cases'))
        if p.closing is None:
            problems.append(('lost cases', f'{what} printed no closing "N cases, N failed" line'))
        elif p.closing != (p.results, p.failed):
            problems.append(('lost cases', f'{what} closed with {p.closing[0]} cases, {p.closing[1]} failed '
                                           f'but reported {p.results}, {p.failed} failed'))
    for _, text in problems[:30]:
        print(f'{label}: PROBLEM {text}')
    if not done:
        print(f'{label}: PROBLEM guest did not finish (timeout, hang or crash); see {path}')
    # Each kind of problem, and an unfinished guest, counts as one failure.
    failed += len({kind for kind, _ in problems}) + (0 if done else 1)
    print(f'{label}: {passed} passed, {failed} failed, {skipped} skipped')
    sys.exit(0 if failed == 0 else 1)


if __name__ == '__main__':
    main()
