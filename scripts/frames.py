#!/usr/bin/env python3
"""Stack frames of the direct-I/O engines, from their object code.

Usage: frames.py <arch> <c-object> <rust-object>

For each engine function that has a C counterpart, the bytes its prologue
takes off the stack pointer (pushes and the frame adjustment on x86_64;
pre-indexed stores and sub sp on arm64), from llvm-objdump.  Prints a table
and exits 1 if a Rust frame is larger than its C counterpart's.

On x86_64 the kernel's C is built with 8-byte stack alignment
(-mstack-alignment=8) and rustc has no such option (rust-lang/rust#128833):
a Rust frame is padded so that it, with the return address, is a multiple
of 16.  There C's frame is compared after the same rounding, and the table
marks a Rust frame larger only by that rounding.  On arm64 both keep 16.
"""
import re
import subprocess
import sys

# C name -> a substring of the Rust (v0-mangled) symbol.
PAIRS = [
    ('__blockdev_direct_IO', '__blockdev_direct_IO'),
    ('submit_page_section', 'submit_page_section'),
    ('dio_send_cur_page', 'send_cur_page'),
    ('dio_new_bio', '7new_bio'),
    ('dio_zero_block', 'zero_new_block_part'),
    ('dio_complete', '12dio_complete12dio_complete'),
    ('dio_bio_end_aio', 'dio_bio_end_aio'),
    ('dio_bio_end_io', 'dio_bio_end_io'),
]
PROLOGUE = 24  # instructions to look at


def frames(obj):
    out = subprocess.run(['llvm-objdump', '-d', '--no-show-raw-insn', obj],
                         capture_output=True, text=True, check=True).stdout
    res, name, n, size = {}, None, 0, 0
    for line in out.splitlines():
        m = re.match(r'^[0-9a-f]+ <(.*)>:$', line)
        if m:
            if name:
                res[name] = size
            name, n, size = m.group(1), 0, 0
            continue
        if name is None or n >= PROLOGUE:
            continue
        insn = line.split(':', 1)[-1].strip()
        if not insn:
            continue
        n += 1
        # x86_64
        if re.match(r'push[q]?\s', insn):
            size += 8
        m = re.match(r'sub[q]?\s+\$(0x[0-9a-f]+|\d+),\s*%rsp', insn)
        if m:
            size += int(m.group(1), 0)
        # arm64: stp x29, x30, [sp, #-96]!  /  sub sp, sp, #464 [, lsl #12]
        m = re.search(r'\[sp,\s*#-(0x[0-9a-f]+|\d+)\]!', insn)
        if m:
            size += int(m.group(1), 0)
        m = re.match(r'sub\s+sp,\s*sp,\s*#(0x[0-9a-f]+|\d+)(,\s*lsl\s*#12)?', insn)
        if m:
            size += int(m.group(1), 0) << (12 if m.group(2) else 0)
    if name:
        res[name] = size
    return res


def rounded(arch, size):
    """A C frame as Rust would lay it out: on x86_64 the return address and
    the frame together a multiple of 16 bytes (see above)."""
    if arch != 'x86_64':
        return size
    return (size + 8 + 15) // 16 * 16 - 8


def main():
    arch, c_obj, rust_obj = sys.argv[1:4]
    c, rust = frames(c_obj), frames(rust_obj)
    status = 0
    print(f'stack frames on {arch} (bytes): function, C, Rust')
    for cname, rsub in PAIRS:
        cs = c.get(cname)
        rs = [v for k, v in rust.items() if rsub in k and 'kunit' not in k]
        r = max(rs) if rs else None
        if cs is None or r is None:
            # Inlined into its caller on one side: its frame is counted there.
            print(f'  {cname:24} {cs if cs is not None else "inlined":>8} '
                  f'{r if r is not None else "inlined":>8}')
            continue
        mark = ''
        if r > rounded(arch, cs):
            mark = '  LARGER'
            status = 1
        elif r > cs:
            mark = '  (C\'s rounded to 16-byte alignment)'
        print(f'  {cname:24} {cs:>8} {r:>8}{mark}')
    if status:
        print(f'rustdio: error: a Rust stack frame is larger than its C counterpart\'s on {arch}')
    return status


if __name__ == '__main__':
    sys.exit(main())
