#!/usr/bin/env python3
"""Kernel instructions per direct-I/O request, by function, C engine against
Rust engine (scripts/insn-count.sh).

Each engine's bench kernel boots under QEMU with one instruction per
translation block (-singlestep), no block chaining and the instruction clock
of the benchmark (-icount shift=2).  When the guest (tests/insn-init.sh)
prints MEASURE-BEGIN, QEMU's execution log of kernel addresses is turned on
through the monitor; it is turned off at MEASURE-END.  Every logged line is
then one kernel instruction executed.  The count for a workload runs from
the first entry into __blockdev_direct_IO to the last one, so it covers whole
request cycles (system call, engine, block layer, completion, return) and
none of the set-up around them, and is divided by the number of cycles.
"""

import argparse
import bisect
import collections
import os
import re
import socket
import subprocess
import sys
import time

TRACE = re.compile(rb'\[[0-9a-f]+/([0-9a-f]+)/')


def boot(engine, obj, initrd, image, work):
    """Boots one kernel and writes <work>/<engine>-<workload>.log per window;
    returns the workloads' names."""
    mon = os.path.join(work, f'mon-{engine}.sock')
    if os.path.exists(mon):
        os.unlink(mon)
    q = subprocess.Popen(
        ['qemu-system-x86_64', '-accel', 'tcg', '-icount', 'shift=2', '-singlestep',
         '-d', 'nochain', '-dfilter', '0xffffffff80000000..0xffffffffffffffff',
         '-D', os.path.join(work, f'idle-{engine}.log'),
         '-smp', '1', '-m', '2G', '-nographic', '-no-reboot', '-nodefaults', '-serial', 'stdio',
         '-monitor', f'unix:{mon},server,nowait', '-kernel', f'{obj}/arch/x86/boot/bzImage',
         '-initrd', initrd,
         '-append', 'console=ttyS0 panic=-1 loglevel=5 tsc=reliable brd.rd_nr=1 brd.rd_size=65536',
         '-drive', f'file={image},if=none,id=d0,format=raw,cache=unsafe',
         '-device', 'virtio-blk-pci,drive=d0,serial=vfat-512,logical_block_size=512,'
                    'physical_block_size=512'],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    for _ in range(50):
        if os.path.exists(mon):
            break
        time.sleep(0.1)
    s = socket.socket(socket.AF_UNIX)
    s.connect(mon)

    def hmp(cmd):
        s.sendall((cmd + '\n').encode())
        time.sleep(0.3)

    windows = []
    for raw in q.stdout:
        line = raw.decode(errors='replace')
        if 'MEASURE-FAILED' in line:
            q.kill()
            sys.exit(f'rustdio: error: insn-count: {engine} guest: {line.strip()}')
        if 'MEASURE-BEGIN' in line:
            name = line.split('MEASURE-BEGIN')[1].split()[0]
            windows.append(name)
            hmp(f'logfile {work}/{engine}-{name}.log')
            hmp('log exec,nochain')
        elif 'MEASURE-END' in line:
            hmp('log nochain')
            hmp(f'logfile {work}/idle-{engine}.log')
        elif 'MEASURE-DONE' in line:
            q.kill()
            break
    q.wait()
    os.unlink(os.path.join(work, f'idle-{engine}.log'))
    return windows


def symbols(obj):
    """Sorted text symbol addresses and names of a kernel."""
    addrs, names = [], []
    for line in open(os.path.join(obj, 'System.map')):
        a, t, name = line.split()[:3]
        if t in 'tTwW':
            addrs.append(int(a, 16))
            names.append(name)
    return addrs, names


def engine_symbols(objs):
    """The text symbols defined in the engine's object files."""
    out = set()
    for o in objs:
        for line in subprocess.run(['nm', '--defined-only', o], capture_output=True,
                                   text=True, check=True).stdout.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in 'tTwW':
                out.add(f[2])
    return out


def count(log, addrs, names):
    """Instructions per request cycle by function."""
    entry = addrs[names.index('__blockdev_direct_IO')]
    pcs = []
    with open(log, 'rb') as f:
        for line in f:
            m = TRACE.search(line)
            if m:
                pcs.append(int(m.group(1), 16))
    starts = [i for i, pc in enumerate(pcs) if pc == entry]
    if len(starts) < 2:
        sys.exit(f'rustdio: error: insn-count: {log}: fewer than two requests seen')
    cycles = len(starts) - 1
    c = collections.Counter()
    for pc in pcs[starts[0]:starts[-1]]:
        i = bisect.bisect_right(addrs, pc) - 1
        c[names[i]] += 1
    return {k: v / cycles for k, v in c.items()}, cycles


def report(results, engine_syms, out):
    lines = ['# Kernel instructions per direct-I/O request, C and Rust engine', '',
             'Counted exactly, not sampled (`scripts/insn-count.sh`): each bench kernel boots under',
             'QEMU with one instruction per translation block and the execution log on for kernel',
             'addresses while `tests/dio_loop.c` issues one O_DIRECT `pread`/`pwrite` after another',
             '(vfat on brd, 512-byte sectors, fixed offsets); a request cycle runs from one entry into',
             '`__blockdev_direct_IO` to the next (system call, engine, block layer, brd, completion).',
             'Timer interrupts fall into the cycles on the instruction clock as in the benchmark.',
             '"Engine" sums the functions of `fs/direct-io.o` or of `fs/rustdio/*.o` (the C glue included).',
             '']
    for name, (c, cc, r, rc) in results.items():
        ec = sum(v for k, v in c.items() if k in engine_syms['c'])
        er = sum(v for k, v in r.items() if k in engine_syms['rust'])
        tc, tr = sum(c.values()), sum(r.values())
        lines += [f'## {name}', '',
                  f'{cc} request cycles on C, {rc} on Rust.', '',
                  '| | C | Rust | Rust - C |', '|---|---|---|---|',
                  f'| kernel, all functions | {tc:.0f} | {tr:.0f} | {tr - tc:+.0f} |',
                  f'| engine\'s own functions | {ec:.0f} | {er:.0f} | {er - ec:+.0f} |',
                  f'| everything else | {tc - ec:.0f} | {tr - er:.0f} | {(tr - er) - (tc - ec):+.0f} |',
                  '', 'Functions whose count differs by at least 2 per request:', '',
                  '| function | C | Rust | Rust - C |', '|---|---|---|---|']
        rows = []
        for k in set(c) | set(r):
            d = r.get(k, 0) - c.get(k, 0)
            if abs(d) >= 2:
                rows.append((-abs(d), k, c.get(k, 0), r.get(k, 0), d))
        for _, k, a, b, d in sorted(rows):
            tag = ' (engine)' if k in engine_syms['c'] | engine_syms['rust'] else ''
            lines.append(f'| `{k}`{tag} | {a:.1f} | {b:.1f} | {d:+.1f} |')
        lines.append('')
    with open(out, 'w') as f:
        f.write('\n'.join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--kernel', action='append', required=True, help='ENGINE=OBJDIR (c and rust)')
    ap.add_argument('--initrd', required=True)
    ap.add_argument('--image', required=True, help='the pristine vfat-512 image')
    ap.add_argument('--work', required=True, help='directory for the logs (large; deleted after)')
    ap.add_argument('--out', required=True, help='the markdown report')
    args = ap.parse_args()
    kernels = dict(k.split('=', 1) for k in args.kernel)
    os.makedirs(args.work, exist_ok=True)
    counts, syms = {}, {}
    for engine, obj in kernels.items():
        image = os.path.join(args.work, f'vfat-{engine}.img')
        subprocess.run(['cp', '--sparse=always', args.image, image], check=True)
        print(f'[insn-count] booting the {engine} kernel (single-stepped: several minutes)', flush=True)
        windows = boot(engine, obj, args.initrd, image, args.work)
        addrs, names = symbols(obj)
        objs = ([os.path.join(obj, 'fs/direct-io.o')] if engine == 'c' else
                [os.path.join(obj, 'fs/rustdio', f) for f in sorted(os.listdir(os.path.join(obj, 'fs/rustdio')))
                 if f.endswith('.o') and f != 'built-in.o'])
        syms[engine] = engine_symbols(objs)
        for name in windows:
            log = os.path.join(args.work, f'{engine}-{name}.log')
            counts[(engine, name)] = count(log, addrs, names)
            os.unlink(log)
        os.unlink(image)
    results = {}
    for (engine, name) in counts:
        if engine == 'c' and ('rust', name) in counts:
            c, cc = counts[('c', name)]
            r, rc = counts[('rust', name)]
            results[name] = (c, cc, r, rc)
    report(results, syms, args.out)
    print(f'[insn-count] wrote {args.out}')


if __name__ == '__main__':
    main()
