#!/usr/bin/env python3
"""Summarise the guest perf profiles of both engines.

Usage: profile_report.py <results-dir> <c-engine-objects...> -- <rust-engine-objects...>
Reads <results-dir>/profile-{c,rust}.txt (perf report --sort sym output per
workload) and writes <results-dir>/profile.md: for each workload the share of
samples spent in the engine's own functions (symbols of the given objects)
and the engine's hottest functions side by side."""
import os
import re
import subprocess
import sys


def symbols(objs):
    names = set()
    for o in objs:
        out = subprocess.run(['nm', '--defined-only', o], capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in 'tTwW':
                names.add(parts[2])
    return names


def pretty(names):
    """Demangled names (c++filt knows Rust v0), without crate hashes and brackets."""
    out = subprocess.run(['c++filt'], input='\n'.join(names), capture_output=True,
                         text=True).stdout.splitlines()
    if len(out) != len(names):
        out = names
    return {n: re.sub(r'\[[0-9a-f]+\]|[<>]', '', d).replace('direct_io::', '')
            for n, d in zip(names, out)}


def load(path):
    prof, cur = {}, None
    for line in open(path, errors='replace'):
        m = re.match(r'== (\S+) ==', line)
        if m:
            cur = prof.setdefault(m.group(1), {})
            continue
        m = re.match(r'\s*([\d.]+)%\s+\[.\]\s+(\S+)', line)
        if m and cur is not None:
            cur[m.group(2)] = cur.get(m.group(2), 0.0) + float(m.group(1))
    return prof


def main():
    res = sys.argv[1]
    sep = sys.argv.index('--')
    own = {'c': symbols(sys.argv[2:sep]), 'rust': symbols(sys.argv[sep + 1:])}
    prof = {e: load(os.path.join(res, f'profile-{e}.txt')) for e in ('c', 'rust')}
    out = ['# Where the kernel spends its time: perf profiles, C and Rust engine', '',
           'perf `cpu-clock` samples in the TCG guest over fio psync jobs on vfat over brd; '
           'the guest clock counts instructions (QEMU -icount), so samples fall in proportion '
           'to instructions executed '
           '(`make profile`); raw reports in `profile-c.txt` and `profile-rust.txt`.  '
           '"engine" is the share of all samples in the engine\'s own functions '
           '(the symbols of `fs/direct-io.o`, or of `fs/rustdio/*.o` including the C glue).', '']
    for w in prof['c']:
        share = {e: sum(v for s, v in prof[e].get(w, {}).items() if s in own[e]) for e in prof}
        out += [f'## {w}', '',
                f'engine share: C {share["c"]:.2f}%, Rust {share["rust"]:.2f}%', '',
                '| C function | % | Rust function | % |', '|---|---|---|---|']
        top = {e: sorted(((v, s) for s, v in prof[e].get(w, {}).items() if s in own[e]),
                         reverse=True)[:8] for e in prof}
        names = pretty([t[1] for e in top for t in top[e]])
        for i in range(max(len(top['c']), len(top['rust']))):
            c = top['c'][i] if i < len(top['c']) else (None, '')
            r = top['rust'][i] if i < len(top['rust']) else (None, '')
            fmt = lambda t: (f'`{names[t[1]]}`', f'{t[0]:.2f}') if t[0] is not None else ('', '')
            out.append('| {} | {} | {} | {} |'.format(*fmt(c), *fmt(r)))
        out.append('')
    open(os.path.join(res, 'profile.md'), 'w').write('\n'.join(out))
    print('\n'.join(out))


if __name__ == '__main__':
    main()
