#!/usr/bin/env python3
"""Self-test of the VM runner's verdict: a broken test, a kernel WARN and a
hung guest must each fail the run and name the cause."""
import os
import subprocess
import sys
import tempfile

VERDICT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'scripts', 'verdict.py')
GOOD = 'ok 1 - vfat-512:aligned_overwrite\nok 2 - vfat-512:holes # SKIP n/a\n'
CASES = [
    ('clean run passes', GOOD + 'RUSTDIO-GUEST-DONE\n', 0, '2 passed, 0 failed, 1 skipped'.replace('2 passed', '1 passed')),
    ('broken test fails', GOOD + 'not ok 3 - vfat-512:read_eof\n# tail read (errno 0)\nRUSTDIO-GUEST-DONE\n', 1, 'FAIL vfat-512:read_eof # tail read'),
    ('kernel WARN fails', GOOD + '[   12.5] WARNING: CPU: 0 PID: 1 at fs/rustdio/x.rs:1\nRUSTDIO-GUEST-DONE\n', 1, 'PROBLEM kernel WARNING'),
    ('KASAN report fails', GOOD + 'BUG: KASAN: use-after-free in foo\nRUSTDIO-GUEST-DONE\n', 1, 'PROBLEM kernel BUG'),
    ('hung guest fails', GOOD + 'INFO: task dio_test:80 blocked for more than 60 seconds.\n', 1, 'guest did not finish'),
    ('KUnit failure fails', '    not ok 1 alignment_test\nnot ok 1 rustdio_plan\nRUSTDIO-GUEST-DONE\n', 1, 'FAIL alignment_test'),
]


def main():
    failed = 0
    for n, (name, log, want_rc, want_text) in enumerate(CASES, 1):
        with tempfile.NamedTemporaryFile('w', suffix='.log', delete=False) as f:
            f.write(log)
        p = subprocess.run([sys.executable, VERDICT, f.name, 'selftest'], capture_output=True, text=True)
        os.unlink(f.name)
        good = p.returncode == want_rc and want_text in p.stdout
        failed += not good
        print(f'{"ok" if good else "not ok"} {n} - runner:{name}')
        if not good:
            print('# rc %d, output:\n# %s' % (p.returncode, p.stdout.replace('\n', '\n# ')))
    print(f'runner: {len(CASES) - failed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
