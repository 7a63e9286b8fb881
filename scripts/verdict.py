#!/usr/bin/env python3
"""Read a guest console log; count TAP/KTAP results and flag kernel problems.

Usage: verdict.py <console.log> <label>
Prints failures and problems, then "<label>: N passed, N failed, N skipped".
Exit status: 0 if nothing failed, no kernel problem was seen and the guest
reached its end marker; 1 otherwise.
"""
import re
import sys

RESULT = re.compile(r'^(\s*)(not ok|ok)\b(?: \d+)?(?: -)? ?(.*)$')
PROBLEMS = [
    (re.compile(r'\bBUG:'), 'kernel BUG'),
    (re.compile(r'WARNING:'), 'kernel WARNING'),
    (re.compile(r'\bOops\b'), 'kernel Oops'),
    (re.compile(r'Kernel panic'), 'kernel panic'),
    (re.compile(r'KASAN'), 'KASAN report'),
    (re.compile(r'UBSAN'), 'UBSAN report'),
    (re.compile(r'Call Trace:'), 'call trace'),
    (re.compile(r'kmemleak: \d+ new suspected'), 'kmemleak report'),
    (re.compile(r'possible (recursive|circular) locking|inconsistent lock state|'
                r'suspicious RCU usage|lock held when returning'), 'lockdep splat'),
    (re.compile(r'blocked for more than \d+ seconds'), 'hung task'),
    (re.compile(r'sleeping function called from invalid context'), 'sleep in atomic'),
    (re.compile(r'soft lockup|hard LOCKUP|rcu_sched self-detected stall|rcu: INFO'), 'lockup/stall'),
]


def main():
    path, label = sys.argv[1], sys.argv[2]
    passed = failed = skipped = 0
    problems = []
    done = False
    with open(path, errors='replace') as f:
        lines = f.read().splitlines()
    for i, raw in enumerate(lines):
        line = re.sub(r'^\[\s*\d+\.\d+\]\s?', '', raw)
        if 'RUSTDIO-GUEST-DONE' in line:
            done = True
        for pat, what in PROBLEMS:
            if pat.search(line):
                problems.append(f'{what}: {line.strip()}')
                break
        m = RESULT.match(line)
        if not m:
            continue
        indent, status, rest = m.groups()
        # KUnit suite summary lines (unindented, no " - ") repeat their cases.
        if not indent and ' - ' not in line and not rest.startswith('global:'):
            continue
        if '# SKIP' in rest:
            skipped += 1
        elif status == 'ok':
            passed += 1
        else:
            failed += 1
            detail = lines[i + 1].strip() if i + 1 < len(lines) and lines[i + 1].lstrip().startswith('#') else ''
            print(f'{label}: FAIL {rest.strip()} {detail}')
    for p in problems[:20]:
        print(f'{label}: PROBLEM {p}')
    if not done:
        print(f'{label}: PROBLEM guest did not finish (timeout, hang or crash); see {path}')
    # Each kind of kernel problem, and an unfinished guest, counts as a failure.
    failed += len({p.split(':', 1)[0] for p in problems}) + (0 if done else 1)
    print(f'{label}: {passed} passed, {failed} failed, {skipped} skipped')
    sys.exit(0 if failed == 0 else 1)


if __name__ == '__main__':
    main()
