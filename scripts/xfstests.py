#!/usr/bin/env python3
"""fstests on the C and the Rust engine, side by side (make xfstests).

For each filesystem and engine, boots the fstests kernel of that engine with
virtme-ng (the host's root over 9p, a test and a scratch virtio disk) and
runs fstests' check on the test list.  The guest writes check's output to a
shared directory as it goes.  When a guest hangs (neither check's output nor
the running test's files grow for --limit seconds) or crashes, the test that
was running is recorded as failed and the rest of the list continues in a
fresh boot.  fstests fails a test whose
dmesg holds a kernel report (_check_dmesg).

Results per engine go to build/logs/xfstests-<fs>-<engine>.json, and the
side-by-side report, every difference marked, to build/logs/xfstests-<fs>.md.
"""

import argparse
import difflib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("RUSTDIO_BUILD", os.path.join(TOP, "build"))
XT = os.path.join(BUILD, "xfstests")
SRC = os.path.join(XT, "src")
LOGS = os.path.join(BUILD, "logs")
FILESYSTEMS = ["vfat", "msdos", "exfat", "ext2", "udf", "jfs"]
# A filesystem's mkfs for the test disk (the scratch disk is made by fstests).
MKFS = {"vfat": ["mkfs.vfat"], "msdos": ["mkfs.msdos"], "exfat": ["mkfs.exfat"],
        "ext2": ["mkfs.ext2", "-F", "-q"], "udf": ["mkfs.udf"], "jfs": ["mkfs.jfs", "-q"]}
DISK_BYTES = {"test": 2 << 30, "scratch": 4 << 30}

# Tests that do direct I/O, found in their source.
DIO_PATTERNS = re.compile(
    r"_require_odirect|_require_aiodio|_require_aio\b|aio-dio|"
    r"XFS_IO_PROG\b[^\n|]*\s-[a-zA-Z]*d\b|xfs_io\s+-[a-zA-Z]*d\b|"
    r"FSX_PROG\b[^\n]*\s-Z|run_fsx\b[^\n]*\s-Z|direct=1|O_DIRECT")


# The engines' boots run in threads: one line at a time.
PRINT = threading.Lock()


def say(msg):
    with PRINT:
        print(f"[rustdio {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def groups():
    """{test: set of groups} from fstests' generated group lists."""
    out = {}
    tdir = os.path.join(SRC, "tests")
    for kind in sorted(os.listdir(tdir)):
        path = os.path.join(tdir, kind, "group.list")
        if not os.path.exists(path):
            continue
        for line in open(path):
            f = line.split()
            if f and not f[0].startswith("#"):
                out[f"{kind}/{f[0]}"] = set(f[1:])
    return out


def dio_tests():
    """The default list: generic tests that do direct I/O, or are in group aio."""
    sel = []
    g = groups()
    for test, grp in sorted(g.items()):
        if not test.startswith("generic/"):
            continue
        text = open(os.path.join(SRC, "tests", test)).read()
        if "aio" in grp or DIO_PATTERNS.search(text):
            sel.append(test)
    return sel


def select(args):
    if args.tests:
        tests = args.tests.replace(",", " ").split()
        known = groups()
        bad = [t for t in tests if t not in known]
        if bad:
            sys.exit(f"rustdio: error: TESTS: no such fstests test: {' '.join(bad)}")
        return tests
    if args.group:
        return sorted(t for t, g in groups().items() if t.startswith("generic/") and args.group in g)
    return dio_tests()


def parse_check(text):
    """{test: (status, reason)} from fstests check output, plus the test that
    was started but did not finish (or None)."""
    res, running = {}, None
    for line in text.splitlines():
        m = re.match(r"^([a-z0-9]+/\d+)\s*(.*)$", line)
        if not m:
            continue
        test, rest = m.group(1), m.group(2).strip()
        if not rest:
            running = test
            continue
        running = None
        if "[not run]" in rest:
            res[test] = ("notrun", rest.split("[not run]", 1)[1].strip())
        elif "[expunged]" in rest:
            res[test] = ("expunged", "")
        elif re.search(r"output mismatch|\[failed|_check_dmesg|_check_\w+: |inconsistent|\[killed", rest):
            res[test] = ("fail", rest)
        elif re.match(r"^(\d+s )?(\.\.\.\s+)?\d+s$", rest):
            res[test] = ("pass", "")
        else:
            # check printed a test name and something else first (a script's
            # noise before the result): the test is still running.
            running = test
    return res, running


def make_disks(fs, run):
    paths = {}
    for name, size in DISK_BYTES.items():
        path = os.path.join(run, f"{name}.img")
        with open(path, "wb") as f:
            f.truncate(size)
        paths[name] = path
    subprocess.run(MKFS[fs] + [paths["test"]], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return paths


def boot(engine, fs, run, keep, tests, limit, soak, deadline):
    """One boot running `tests`; returns (results, running test, how it ended)."""
    kernel = os.path.join(BUILD, f"kernel-{engine}-fstests", "arch/x86/boot/bzImage")
    results = os.path.join(run, "results")
    if os.path.exists(results):
        shutil.rmtree(results)
    for f in ("check.out", "guest.txt"):
        if os.path.exists(os.path.join(run, f)):
            os.unlink(os.path.join(run, f))
    disks = make_disks(fs, run)
    with open(os.path.join(run, "env"), "w") as f:
        f.write(f"FSTYP={fs}\nSOAK_DURATION={soak}\n")
    with open(os.path.join(run, "list"), "w") as f:
        f.write("\n".join(tests) + "\n")
    qemu = []
    for name, path in disks.items():
        qemu += ["-drive", f"file={path},format=raw,if=none,cache=unsafe,id={name}",
                 "-device", f"virtio-blk-pci,drive={name},serial=fstests-{name}"]
    # fstests runs its tests from its own directory, and some write there
    # (fio's verify state files): the guest gets a writable overlay of it.
    cmd = [os.path.join(XT, "vng", "bin", "vng"), "--run", kernel, "--disable-kvm", "--force-9p",
           "--disable-microvm", "--cpus", "2", "--memory", "3G", "--verbose",
           "--rwdir", run, "--overlay-rwdir", SRC, "--append", "panic=-1 softlockup_panic=0 hung_task_panic=0",
           "--exec", f"{TOP}/tests/xfstests-guest.sh {SRC} {run}",
           "--qemu-opts=" + " ".join(qemu)]
    console = open(os.path.join(run, "console.log"), "wb")
    proc = subprocess.Popen(cmd, stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    out = os.path.join(run, "check.out")
    last_size, last_change, ended = -1, time.time(), None
    # A line on how far the boot is: every 5 s on a terminal, every minute
    # into a log.
    every, t0, shown = (5 if sys.stdout.isatty() else 60), time.time(), time.time()
    while True:
        try:
            proc.wait(timeout=5)
            break
        except subprocess.TimeoutExpired:
            pass
        if time.time() - shown >= every:
            shown = time.time()
            done, running = parse_check(open(out, errors="replace").read()) if os.path.exists(out) else ({}, None)
            say(f"{fs}/{engine}: {len(done)} of {len(tests)} tests of this boot done"
                + (f", {running} running" if running else "") + f", {int(shown - t0)} s")
        # Progress: check's output or any test's files (.full) growing.
        size = os.path.getsize(out) if os.path.exists(out) else 0
        for root, _, files in os.walk(results):
            size += sum(os.path.getsize(os.path.join(root, f)) for f in files
                        if os.path.exists(os.path.join(root, f)))
        if size != last_size:
            last_size, last_change = size, time.time()
        elif time.time() - last_change > limit:
            ended = f"hang: no progress for {limit} s"
        if deadline and time.time() > deadline:
            ended = "deadline"
        if ended:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            break
    console.close()
    text = open(out, errors="replace").read() if os.path.exists(out) else ""
    res, running = parse_check(text)
    guest = open(os.path.join(run, "guest.txt")).read() if os.path.exists(os.path.join(run, "guest.txt")) else ""
    if guest and f"engine {engine}," not in guest:
        sys.exit(f"rustdio: error: the {engine} kernel booted another engine: {guest.strip()}")
    if ended is None and not guest:
        # The guest never reached the test script: no test ran, so this is
        # no test's result.  The caller boots again and keeps this console.
        name = f"boot-{len(os.listdir(keep))}.nostart.console"
        shutil.copy(os.path.join(run, "console.log"), os.path.join(keep, name))
        return {}, None, "nostart"
    if ended is None and "check exited" not in text:
        clog = open(os.path.join(run, "console.log"), errors="replace").read()
        m = re.search(r"(Kernel panic[^\n]*|BUG: [^\n]*|Oops[^\n]*)", clog)
        ended = f"crash: {m.group(1).strip()}" if m else "guest ended before check finished"
    # Keep each test's fstests files for the report, and the console of a
    # boot that did not end normally.
    if ended and ended != "deadline":
        name = f"{running}.console" if running else f"boot-{len(os.listdir(keep))}.console"
        os.makedirs(os.path.dirname(os.path.join(keep, name)), exist_ok=True)
        shutil.copy(os.path.join(run, "console.log"), os.path.join(keep, name))
    for root, _, files in os.walk(results):
        for f in files:
            if re.search(r"\.(out\.bad|notrun|dmesg|full)$", f):
                rel = os.path.relpath(os.path.join(root, f), results)
                os.makedirs(os.path.join(keep, os.path.dirname(rel)), exist_ok=True)
                shutil.copy(os.path.join(root, f), os.path.join(keep, rel))
    return res, running, ended


def kept(fs, engine):
    """Where a run keeps fstests' files of each test (out.bad, dmesg, full)."""
    return os.path.join(LOGS, f"xfstests-{fs}-{engine}")


def kernel_id(engine):
    """The fstests kernel's image hash: saved results belong to one kernel."""
    path = os.path.join(BUILD, f"kernel-{engine}-fstests", "arch/x86/boot/bzImage")
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load(fs, engine, tests):
    """The saved results of an earlier run to go on from (RESUME=1); refuses
    results of another kernel or another test list."""
    path = os.path.join(LOGS, f"xfstests-{fs}-{engine}.json")
    if not os.path.exists(path):
        return None
    data = json.load(open(path))
    if data.get("kernel") != kernel_id(engine):
        sys.exit(f"rustdio: error: RESUME=1: {path} holds results of another {engine} kernel; "
                 "run without RESUME")
    if data.get("tests") != tests:
        sys.exit(f"rustdio: error: RESUME=1: {path} holds results of another test list; "
                 "give the same FS, TESTS or GROUP, or run without RESUME")
    return data


def save(fs, engine, data):
    with open(os.path.join(LOGS, f"xfstests-{fs}-{engine}.json"), "w") as f:
        json.dump(data, f, indent=1)


def run_chunk(engine, fs, tests, data, limit, soak, deadline):
    """Runs `tests` on one engine, in as many boots as hangs and crashes
    need, adding to `data` (saved after every boot).  Returns False when the
    deadline cut the chunk short."""
    run = os.path.join(XT, f"run-{fs}-{engine}")
    if os.path.exists(run):
        shutil.rmtree(run)
    os.makedirs(run)
    results = data["results"]
    todo = list(tests)
    t0 = time.time()
    cut, nostart = False, 0
    while todo:
        data["boots"] += 1
        say(f"{fs}/{engine}: boot {data['boots']}, {len(todo)} tests: {todo[0]} .. {todo[-1]}")
        res, running, ended = boot(engine, fs, run, kept(fs, engine), todo, limit, soak, deadline)
        if ended == "nostart":
            # Early boot under TCG has died before any test ran (once, an
            # int3 oops in a static-key text patch).  Boot again, twice at
            # most; a kernel that never starts stops the run.
            nostart += 1
            console = os.path.join(run, "console.log")
            if nostart > 2:
                tail = open(console, errors="replace").read()[-2000:]
                sys.exit(f"rustdio: error: the {engine} fstests guest did not start in "
                         f"{nostart} boots; end of {console}:\n{tail}")
            say(f"{fs}/{engine}: the guest did not start (console kept in "
                f"{kept(fs, engine)}); booting again")
            continue
        nostart = 0
        results.update({t: list(r) for t, r in res.items() if t in todo})
        if ended == "deadline":
            cut = True
            break
        if ended:
            victim = running or next((t for t in todo if t not in res), None)
            if victim:
                results[victim] = ["fail", ended]
                say(f"{fs}/{engine}: {victim} failed ({ended}); going on in a fresh boot")
        todo = [t for t in todo if t not in results]
        if not ended and todo:
            for t in todo:
                results[t] = ["fail", "check ended without running it"]
            todo = []
    data["seconds"] += int(time.time() - t0)
    save(fs, engine, data)
    return not cut


def run_fs(fs, engines, tests, args, deadline):
    """Both engines, chunk by chunk, so that a deadline leaves the same tests
    run on each."""
    datas = {}
    for e in engines:
        datas[e] = load(fs, e, tests) if args.resume else None
        if datas[e] is None:
            datas[e] = {"fs": fs, "engine": e, "kernel": kernel_id(e), "tests": tests,
                        "seconds": 0, "boots": 0, "results": {}}
            shutil.rmtree(kept(fs, e), ignore_errors=True)
        os.makedirs(kept(fs, e), exist_ok=True)
    # Going on from saved results: a test counts as run only when every
    # engine has its result.
    todo = [t for t in tests if not all(t in datas[e]["results"] for e in engines)]
    for e in engines:
        for t in todo:
            datas[e]["results"].pop(t, None)
    if len(todo) < len(tests):
        say(f"{fs}: going on from saved results: {len(tests) - len(todo)} of {len(tests)} tests run")
    chunks = [todo[i:i + args.chunk] for i in range(0, len(todo), args.chunk)]
    done = True
    for chunk in chunks:
        # The engines run the chunk at once, a guest each: most of a test is
        # one process at a time, so one TCG guest keeps about one host CPU
        # busy.
        finished, errors = {}, []

        def one(e, chunk=chunk, finished=finished, errors=errors):
            try:
                finished[e] = run_chunk(e, fs, chunk, datas[e], args.limit, args.soak, deadline)
            except BaseException as err:  # sys.exit() too: raised again below
                errors.append(err)

        threads = [threading.Thread(target=one, args=(e,)) for e in engines]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        if not all(finished.get(e) for e in engines):
            done = False
        if not done:
            # Keep the cut chunk's tests that finished on every engine; a
            # test only one engine finished runs again on both (RESUME=1).
            both = [t for t in chunk if all(t in datas[e]["results"] for e in engines)]
            for e in engines:
                for t in chunk:
                    if t not in both:
                        datas[e]["results"].pop(t, None)
                save(fs, e, datas[e])
            say(f"{fs}: deadline reached; {len(both)} of the {len(chunk)} tests of the last boots "
                "finished on every engine and are kept, the rest not run")
            break
    for e, d in datas.items():
        counts = {}
        for s, _ in d["results"].values():
            counts[s] = counts.get(s, 0) + 1
        secs = d["seconds"]
        say(f"{fs}/{e}: {len(d['results'])} of {len(tests)} tests in {secs // 60} min {secs % 60} s, "
            f"{d['boots']} boots: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    return done, datas


def failures(fs, tests, runs):
    """For each failed test: the start of its output's difference from the
    expected output and the kernel report lines of its dmesg."""
    out = []
    for t in tests:
        for e, d in runs.items():
            r = d["results"].get(t)
            if not r or r[0] != "fail":
                continue
            out += ["", f"### {t} on {e}: {r[1]}", ""]
            base = os.path.join(kept(fs, e), t)
            block = []
            if os.path.exists(base + ".out.bad"):
                want = open(os.path.join(SRC, "tests", t + ".out"), errors="replace").readlines()
                got = open(base + ".out.bad", errors="replace").readlines()
                block += list(difflib.unified_diff(want, got, f"{t}.out", f"{t}.out.bad", n=1))[:20]
            if os.path.exists(base + ".dmesg"):
                dm = open(base + ".dmesg", errors="replace").read()
                block += [ln + "\n" for ln in dm.splitlines()
                          if re.search(r"WARNING:|BUG:|Oops|KASAN|lockdep|INFO: task|Call Trace", ln)][:10]
            if block:
                out += ["```"] + [ln.rstrip("\n") for ln in block] + ["```"]
            out.append(f"files: `{os.path.relpath(base, TOP)}.*`")
    return (["", "## Failures"] + out) if out else []


def report(fs, tests, runs, done):
    lines = [f"# fstests on {fs}: C and Rust engines", ""]
    for e, d in runs.items():
        c = {}
        for s, _ in d["results"].values():
            c[s] = c.get(s, 0) + 1
        lines.append(f"- {e}: {len(d['results'])} tests, " + ", ".join(f"{n} {s}" for s, n in sorted(c.items()))
                     + f"; {d['seconds'] // 60} min, {d['boots']} boot(s)")
    diffs = 0
    lines += ["", "| test | C | Rust | |", "|---|---|---|---|"]
    for t in tests:
        cells = []
        for e in ("c", "rust"):
            r = runs.get(e, {}).get("results", {}).get(t)
            cells.append("-" if r is None else (r[0] + (f": {r[1]}" if r[1] else "")).replace("|", "/"))
        verdicts = {runs[e]["results"][t][0] for e in runs if t in runs[e]["results"]}
        mark = ""
        if len(runs) == 2 and len(verdicts) > 1:
            mark, diffs = "**differs**", diffs + 1
        lines.append(f"| {t} | {cells[0]} | {cells[1]} | {mark} |")
    lines += failures(fs, tests, runs)
    head = []
    if not done:
        ran = max(len(d["results"]) for d in runs.values())
        head.append(f"- stopped at the time limit: {ran} of {len(tests)} tests run on each engine (`-`: not run)")
    if len(runs) == 2:
        head.append(f"- verdicts that differ between the engines: {diffs}")
    lines[2:2] = head + ([""] if head else [])
    path = os.path.join(LOGS, f"xfstests-{fs}.md")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path, diffs, runs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fs", default="vfat,exfat")
    ap.add_argument("--engine", default="both", choices=["c", "rust", "both"])
    ap.add_argument("--tests", default="")
    ap.add_argument("--group", default="")
    ap.add_argument("--limit", type=int, default=1800, help="seconds without progress that count as a hang")
    ap.add_argument("--soak", type=int, default=60, help="SOAK_DURATION for fstests' soak tests")
    ap.add_argument("--chunk", type=int, default=16, help="tests per boot; the engines run each chunk at the same time")
    ap.add_argument("--duration", type=int, default=0,
                    help="stop after this many seconds, with the same tests run on both engines")
    ap.add_argument("--resume", action="store_true",
                    help="go on from the saved results of a run cut short by --duration")
    ap.add_argument("--list", action="store_true", help="print the selected tests and stop")
    args = ap.parse_args()
    fss = args.fs.replace(",", " ").split()
    bad = [f for f in fss if f not in FILESYSTEMS]
    if bad:
        sys.exit(f"rustdio: error: FS takes {', '.join(FILESYSTEMS)} for xfstests (got {' '.join(bad)})")
    tests = select(args)
    if args.list:
        print("\n".join(tests))
        return 0
    engines = ["c", "rust"] if args.engine == "both" else [args.engine]
    os.makedirs(LOGS, exist_ok=True)
    deadline = time.time() + args.duration if args.duration else 0
    status = 0
    for fs in fss:
        done, runs = run_fs(fs, engines, tests, args, deadline)
        path, diffs, runs = report(fs, tests, runs, done)
        say(f"{fs}: report in {path}" + (f", {diffs} verdicts differ between the engines" if len(runs) == 2 else ""))
        status |= diffs > 0
        if not done:
            status = 1
            say("time limit reached: filesystems after this one not run")
            break
    return status


if __name__ == "__main__":
    sys.exit(main())
