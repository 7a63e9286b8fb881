#!/usr/bin/env python3
"""Turn the bench console logs into the Rust/C ratio report and an SVG chart.

Usage: bench_report.py <raw-dir> <out-dir>
"""
import glob
import json
import os
import re
import statistics
import sys


def parse_log(path):
    """{job label: metrics} from one guest console log."""
    text = open(path, errors='replace').read()
    jobs = {}
    for m in re.finditer(r'BENCH-JSON-BEGIN (\S+)\n(.*?)BENCH-JSON-END \1', text, re.S):
        label, body = m.group(1), m.group(2)
        start = body.find('{')
        try:
            data = json.loads(body[start:])
        except ValueError:
            continue
        j = data['jobs'][0]
        ios = j['read']['total_ios'] + j['write']['total_ios']
        runtime_ms = max(j['read']['runtime'], j['write']['runtime'], 1)
        side = j['read'] if j['read']['total_ios'] else j['write']
        pct = side.get('clat_ns', {}).get('percentile', {})
        jobs[label] = {
            'iops': j['read']['iops'] + j['write']['iops'],
            'bw_kib': j['read']['bw'] + j['write']['bw'],
            'cpu_us_per_io': (j['sys_cpu'] / 100.0) * runtime_ms * 1000.0 / ios if ios else 0.0,
            'p50_us': pct.get('50.000000', 0) / 1000.0,
            'p99_us': pct.get('99.000000', 0) / 1000.0,
        }
    m = re.search(r'BENCH-CLOCKSOURCE (\S+)', text)
    if m and m.group(1) != 'tsc':
        sys.exit(f'{path}: the guest clock fell back to {m.group(1)}; timings are not usable')
    for m in re.finditer(r'BENCH-SLAB (\S+) (\d+) (\d+)', text):
        if m.group(1) in jobs:
            jobs[m.group(1)]['slab_objs'] = int(m.group(2))
            jobs[m.group(1)]['obj_size'] = int(m.group(3))
    return jobs


def svg_chart(rows, path):
    """Horizontal bars of the median Rust/C IOPS ratio with min-max whiskers."""
    w, row_h, left, right = 900, 22, 330, 40
    h = 60 + row_h * len(rows)
    lo = min([r['min'] for r in rows] + [0.8])
    hi = max([r['max'] for r in rows] + [1.2])
    x = lambda v: left + (v - lo) / (hi - lo) * (w - left - right)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<text x="{w / 2}" y="18" text-anchor="middle" font-size="14">Rust/C IOPS ratio (median, min-max over pairs)</text>']
    for v in (lo, 1.0, hi):
        out.append(f'<line x1="{x(v):.1f}" y1="30" x2="{x(v):.1f}" y2="{h - 20}" stroke="{"#000" if v == 1.0 else "#ccc"}"/>')
        out.append(f'<text x="{x(v):.1f}" y="{h - 6}" text-anchor="middle">{v:.2f}</text>')
    for i, r in enumerate(rows):
        y = 36 + i * row_h
        color = '#2a7' if r['median'] >= 1.0 else '#c44'
        out.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{r["job"]}</text>')
        out.append(f'<rect x="{min(x(1.0), x(r["median"])):.1f}" y="{y + 3}" width="{abs(x(r["median"]) - x(1.0)):.1f}" height="12" fill="{color}"/>')
        out.append(f'<line x1="{x(r["min"]):.1f}" y1="{y + 9}" x2="{x(r["max"]):.1f}" y2="{y + 9}" stroke="#000"/>')
        for v in (r['min'], r['max']):
            out.append(f'<line x1="{x(v):.1f}" y1="{y + 5}" x2="{x(v):.1f}" y2="{y + 13}" stroke="#000"/>')
    out.append('</svg>')
    open(path, 'w').write('\n'.join(out) + '\n')


def main():
    raw, out = sys.argv[1], sys.argv[2]
    runs = {'c': {}, 'rust': {}}
    for path in sorted(glob.glob(os.path.join(raw, '*.log'))):
        engine, pair = os.path.basename(path)[:-4].rsplit('-', 1)
        runs[engine][int(pair)] = parse_log(path)
    pairs = sorted(set(runs['c']) & set(runs['rust']))
    # Every job of either engine in any pair: one that is missing from a run
    # (it failed to start or to report) fails the report instead of vanishing.
    jobs = sorted(set().union(*(runs[e][p].keys() for e in runs for p in pairs)))
    missing = [f'{job} ({e}, pair {p})' for job in jobs for e in runs for p in pairs
               if job not in runs[e][p] or not runs[e][p][job]['iops']]
    try:
        clock = open(os.path.join(raw, 'clock')).read().split()
    except OSError:
        clock = ['wall']
    # Under -icount guest time is 2^shift ns per instruction, summed over the
    # vCPUs, so 1 / IOPS is the whole guest's instruction count per I/O.
    ns_per_insn = 2 ** int(clock[1]) if clock[0] == 'icount' else 0
    if ns_per_insn:
        clock_text = (f'guest clock counting instructions (QEMU -icount, {ns_per_insn} ns per instruction), '
                      'so µs and IOPS measure instructions, not host time; "insn/IO" is guest time per '
                      'I/O counted in instructions: those of every vCPU, kernel and fio together')
    else:
        clock_text = 'TCG on host wall time'
    rows, md = [], []
    md.append(f'Pairs: {len(pairs)} (C and Rust guests booted alternately, C first in odd pairs and Rust first in even ones, '
              f'same fio jobs, {clock_text}).  "CPU µs/IO" is fio\'s system time over its I/Os.\n')
    insn_head = ' C insn/IO | Rust insn/IO |' if ns_per_insn else ''
    md.append('| workload | C IOPS | Rust IOPS | Rust/C (min-max) | C CPU µs/IO | Rust CPU µs/IO |'
              f'{insn_head} C p50/p99 µs | Rust p50/p99 µs |')
    md.append('|---|---|---|---|---|---|' + ('---|---|' if ns_per_insn else '') + '---|---|')
    for job in jobs:
        got = [p for p in pairs if job in runs['c'][p] and job in runs['rust'][p]]
        if not got:
            md.append(f'| {job} | missing | | | | |' + (' | |' if ns_per_insn else '') + ' | |')
            continue
        med = lambda e, k: statistics.median(runs[e][p][job][k] for p in got)
        # The TCG guest's clock ticks coarsely; zero percentiles mean "below a tick".
        lat = lambda e: (f'{med(e, "p50_us"):.0f}/{med(e, "p99_us"):.0f}'
                         if med(e, 'p99_us') else 'n/a')
        ratios = [runs['rust'][p][job]['iops'] / runs['c'][p][job]['iops'] for p in got if runs['c'][p][job]['iops']]
        if not ratios:
            continue
        r = {'job': job, 'median': statistics.median(ratios), 'min': min(ratios), 'max': max(ratios)}
        rows.append(r)
        insn = (f'| {1e9 / ns_per_insn / med("c", "iops"):.0f} | {1e9 / ns_per_insn / med("rust", "iops"):.0f} '
                if ns_per_insn else '')
        md.append(f'| {job} | {med("c", "iops"):.0f} | {med("rust", "iops"):.0f} | {r["median"]:.3f} ({r["min"]:.3f}-{r["max"]:.3f}) '
                  f'| {med("c", "cpu_us_per_io"):.1f} | {med("rust", "cpu_us_per_io"):.1f} '
                  f'{insn}| {lat("c")} | {lat("rust")} |')
    sizes = {e: max((j.get('obj_size', 0) for p in pairs for j in runs[e][p].values()), default=0) for e in runs}
    md.append('')
    # Only the object size: /proc/slabinfo's object count after a job is one
    # slab's capacity, not the objects a job had live at its peak.
    md.append(f'`dio` slab object: C `struct dio` {sizes["c"]} bytes, Rust `Dio` {sizes["rust"]} bytes.')
    if missing:
        md.append('')
        md.append('**Jobs that did not run or report:** ' + ', '.join(missing) + '.')
    if rows:
        md.append(f'Median of per-workload median ratios: {statistics.median(r["median"] for r in rows):.3f}.')
    os.makedirs(out, exist_ok=True)
    open(os.path.join(out, 'report.md'), 'w').write('\n'.join(md) + '\n')
    json.dump({'pairs': len(pairs), 'clock': ' '.join(clock), 'rows': rows, 'obj_size': sizes,
               'missing': missing},
              open(os.path.join(out, 'results.json'), 'w'), indent=1)
    svg_chart(rows, os.path.join(out, 'ratios.svg'))
    print('\n'.join(md))
    if missing or not pairs:
        print('rustdio: error: the benchmark is incomplete: ' + (', '.join(missing) or 'no pairs'))
        sys.exit(1)


if __name__ == '__main__':
    main()
