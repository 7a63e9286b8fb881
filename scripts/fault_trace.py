#!/usr/bin/env python3
"""Where did a pinned fault land?  Reads the console log of a run with
`scripts/fuzz.py --faults --alloc-trace` (dio_fuzz -T): for each pinned
operation, the slab allocations and bios dio_fuzz's task made between
dio_fuzz's marks, in order.

    scripts/fault_trace.py LOG            every pinned operation
    scripts/fault_trace.py LOG OTHER      the first pinned operation whose
                                          list differs between two boots

Each line: the context ('task', or 'irq' for hard and soft interrupts, which
fail-nth does not count), the event, the call site, the size asked for and
the GFP flags; a failed allocation (the injected fault) shows ptr=NULL.
Which of these fail-nth counts also depends on the caches marked for
failslab and on ignore-gfp-wait (tests/guest-init.sh, dio_fuzz.c).
"""
import difflib
import re
import sys

MARK = re.compile(r'tracing_mark_write: dio_fuzz (arm|disarm) ?(.*)$')
# The flags column: irqs-off, need-resched, hardirq/softirq, preempt depth,
# migrate-disable; the third is '.' in task context.
EVENT = re.compile(r'\[\d+\] (\S{4,5}) +[\d.]+: (kmem_cache_alloc|kmalloc|block_bio_queue): (.*)$')


def describe(ctx, event, rest):
    where = 'task' if ctx[2] == '.' else 'irq'
    if event == 'block_bio_queue':
        m = re.match(r'(\S+) (\S+) (\d+) \+ (\d+)', rest)
        return f'{where} bio {m.group(1)} {m.group(2)} {m.group(3)}+{m.group(4)}' if m else f'{where} bio {rest}'
    site = re.search(r'call_site=(\S+)', rest)
    req = re.search(r'bytes_req=(\d+)', rest)
    gfp = re.search(r'gfp_flags=(\S+)', rest)
    failed = ' ptr=NULL' if 'ptr=0000000000000000' in rest else ''
    name = re.sub(r'\+0x[0-9a-f]+/0x[0-9a-f]+$', '', site.group(1)) if site else '?'
    return (f'{where} {event} {name} {req.group(1) if req else "?"} '
            f'{gfp.group(1) if gfp else "?"}{failed}')


def pinned(path):
    """[(heading, [event lines])] in the order the operations ran."""
    out, cur = [], None
    with open(path, errors='replace') as f:
        for line in f:
            if not line.startswith('# TRACE '):
                continue
            m = MARK.search(line)
            if m:
                if m.group(1) == 'arm':
                    cur = (m.group(2).strip(), [])
                elif cur:
                    out.append((f'{cur[0]} {m.group(2).strip()}', cur[1]))
                    cur = None
                continue
            m = EVENT.search(line)
            if m and cur:
                cur[1].append(describe(*m.groups()))
    return out


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    a = pinned(sys.argv[1])
    if not a:
        sys.exit(f'{sys.argv[1]}: no pinned operation traced (run with --faults --alloc-trace)')
    if len(sys.argv) == 2:
        for head, events in a:
            print(f'{head}\n' + ''.join(f'    {e}\n' for e in events), end='')
        return 0
    b = pinned(sys.argv[2])
    for (ha, ea), (hb, eb) in zip(a, b):
        if ea != eb or ha != hb:
            print(f'first difference: {ha}\n               vs {hb}')
            for d in difflib.unified_diff(ea, eb, sys.argv[1], sys.argv[2], lineterm='', n=2):
                print(f'    {d}')
            return 1
    print(f'{min(len(a), len(b))} pinned operations traced alike'
          + ('' if len(a) == len(b) else f' ({len(a)} and {len(b)} in all)'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
