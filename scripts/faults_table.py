#!/usr/bin/env python3
"""Fault results per engine, side by side: fault x filesystem x engine with
expected and observed outcome, and whether the engines agree.

Usage: faults_table.py <logs-dir> <variant> <engine...>
Prints a verdict line "faults-<variant>: N passed, N failed[, N skipped]"
and exits non-zero when the engines' tables differ or a log has no faults."""
import os
import re
import sys

logs, variant, engines = sys.argv[1], sys.argv[2], sys.argv[3:]
LINE = re.compile(r'^(not ok|ok) \d+ - faults:(\S+):(\S+) # expected (\S+) observed (\S+)')
rows = {}
if len(engines) < 2:
    print(f'faults-{variant}: 0 passed, 0 failed, 1 skipped (comparing fault tables needs both engines)')
    sys.exit(0)
for engine in engines:
    path = os.path.join(logs, f'{engine}-{variant}.log')
    if not os.path.exists(path):
        print(f'faults-{variant}: 0 passed, 1 failed (no log {path})')
        sys.exit(1)
    for line in open(path, errors='replace'):
        m = LINE.match(line.strip())
        if m:
            status, fs, case, exp, obs = m.groups()
            rows.setdefault((case, fs), {'expected': exp})[engine] = obs
if not rows:
    print(f'faults-{variant}: 0 passed, 1 failed (no fault results in the logs)')
    sys.exit(1)
out = ['| fault | fs | expected | ' + ' | '.join(f'{e} observed' for e in engines) + ' | verdict |',
       '|---|---|---|' + '---|' * len(engines) + '---|']
same = True
for (case, fs), r in rows.items():
    obs = [r.get(e, 'missing') for e in engines]
    ok = all(o == r['expected'] for o in obs)
    same &= len(set(obs)) == 1
    out.append(f'| {case} | {fs} | {r["expected"]} | ' + ' | '.join(obs) + f' | {"pass" if ok else "FAIL"} |')
out.append('')
out.append('C and Rust tables identical: ' + ('yes' if same else 'NO'))
text = '\n'.join(out) + '\n'
open(os.path.join(logs, f'faults-{variant}.md'), 'w').write(text)
print(text)
# The comparison is part of the verdict: one result line, counted in the total.
print(f'faults-{variant}: {int(same)} passed, {int(not same)} failed (C and Rust fault tables '
      f'{"identical" if same else "differ"})')
sys.exit(0 if same else 1)
