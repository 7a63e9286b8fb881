#!/usr/bin/env python3
"""Fault results per engine, side by side: fault x filesystem x engine with
expected and observed outcome.  Usage: faults_table.py <logs-dir> <variant>"""
import os
import re
import sys

logs, variant = sys.argv[1], sys.argv[2]
LINE = re.compile(r'^(not ok|ok) \d+ - faults:(\S+):(\S+) # expected (\S+) observed (\S+)')
rows, engines = {}, []
for engine in ('c', 'rust'):
    path = os.path.join(logs, f'{engine}-{variant}.log')
    if not os.path.exists(path):
        continue
    engines.append(engine)
    for line in open(path, errors='replace'):
        m = LINE.match(line.strip())
        if m:
            status, fs, case, exp, obs = m.groups()
            rows.setdefault((case, fs), {'expected': exp})[engine] = obs
if not rows:
    sys.exit(0)
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
