#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fail on comment lines of ours that are kernel lines word for word.

    check-own-words.py --kernel-dir DIR [PATH...]

DIR holds the kernel files we follow (tools/check-own-words.sh extracts them
from Debian's linux-source-6.12).  PATH defaults to src include.

Our side: every line of a comment (// ... or inside /* ... */) in *.c and *.h.
Kernel side: every line of every file under DIR, taken both whole and as the
comment text on it.  Both are normalised the same way: comment markers (/*, */,
//, a leading run of '*') and surrounding whitespace are removed and inner runs
of whitespace become one space.  A comment line of ours of MIN_LEN or more
characters that equals a kernel line is printed as

    file:line: text
        = kernel/file.c:line

and the exit status is 1.  String literals and code are never looked at.

--min-len N changes the 40-character threshold (for looking, not for CI).
With --runs N it also lists (without failing) runs of N or more words that a
comment of ours shares with a kernel comment however the lines are wrapped:
a help for finding re-wrapped copies.
"""

import os
import re
import sys

MIN_LEN = 40

# One token of C that matters here: a comment, or a literal to skip over.
TOKEN = re.compile(
    r'//[^\n]*'
    r'|/\*.*?(?:\*/|\Z)'
    r'|"(?:\\.|[^"\\\n])*"'
    r"|'(?:\\.|[^'\\\n])*'",
    re.S)
SPACES = re.compile(r'\s+')
# A kernel file a comment cites, e.g. "lib/vsprintf.c".
CITED = re.compile(r'\b(?:mm|include|lib|fs|arch|kernel|tools|drivers|block|net)/[\w./-]+\.[ch]\b')


def normalise(text):
    """Comment markers and outer whitespace off, inner whitespace collapsed."""
    t = text.strip()
    if t.startswith('//'):
        t = t[2:]
    elif t.startswith('/*'):
        t = t[2:]
    if t.endswith('*/'):
        t = t[:-2]
    t = t.strip().lstrip('*').strip()
    return SPACES.sub(' ', t)


def comment_lines(src):
    """Yield (line number, comment text) for each line a comment covers."""
    line, pos = 1, 0
    for m in TOKEN.finditer(src):
        tok = m.group()
        if tok[0] in '"\'':
            continue
        line += src.count('\n', pos, m.start())
        pos = m.start()
        for i, part in enumerate(tok.split('\n')):
            yield line + i, part


def source_files(paths, exts):
    for p in paths:
        if os.path.isfile(p):
            yield p
            continue
        for root, dirs, files in os.walk(p):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(exts):
                    yield os.path.join(root, f)


def read(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        return f.read()


def kernel_lines(kdir):
    """Map each normalised kernel line of MIN_LEN+ characters to its place."""
    seen = {}
    for path in source_files([kdir], ('.c', '.h', '.S', '.txt', '.rst', '.py', '.sh')):
        rel = os.path.relpath(path, kdir)
        src = read(path)
        for n, text in enumerate(src.split('\n'), 1):
            t = normalise(text)
            if len(t) >= MIN_LEN and t not in seen:
                seen[t] = (rel, n)
        if not path.endswith(('.c', '.h')):
            continue
        # A comment after code on the same line, e.g. "x = 1; /* why */".
        for n, text in comment_lines(src):
            t = normalise(text)
            if len(t) >= MIN_LEN and t not in seen:
                seen[t] = (rel, n)
    return seen


def comment_words(src):
    """Yield (first line, [(word, line)...]) for each comment in src."""
    line, pos = 1, 0
    for m in TOKEN.finditer(src):
        tok = m.group()
        if tok[0] in '"\'':
            continue
        line += src.count('\n', pos, m.start())
        pos = m.start()
        words = []
        for i, part in enumerate(tok.split('\n')):
            words += [(w, line + i) for w in normalise(part).split()]
        yield words


def shared_runs(kdir, paths, n):
    """Print runs of n+ words our comments share with kernel comments."""
    shingles = set()
    for path in source_files([kdir], ('.c', '.h')):
        for words in comment_words(read(path)):
            ws = [w for w, _ in words]
            for i in range(len(ws) - n + 1):
                shingles.add(hash(tuple(ws[i:i + n])))
    found = 0
    for path in source_files(paths, ('.c', '.h')):
        for words in comment_words(read(path)):
            ws = [w for w, _ in words]
            i = 0
            while i <= len(ws) - n:
                if hash(tuple(ws[i:i + n])) not in shingles:
                    i += 1
                    continue
                j = i + 1
                while j <= len(ws) - n and hash(tuple(ws[j:j + n])) in shingles:
                    j += 1
                found += 1
                print(f'{path}:{words[i][1]}: (run of {j - i + n - 1} words) '
                      + ' '.join(ws[i:j + n - 1]))
                i = j + n - 1
    return found


def main(argv):
    kdir = None
    paths = []
    runs = 0
    args = iter(argv)
    for a in args:
        if a == '--kernel-dir':
            kdir = next(args, None)
        elif a == '--min-len':
            global MIN_LEN
            MIN_LEN = int(next(args, str(MIN_LEN)))
        elif a == '--runs':
            runs = int(next(args, '12'))
        elif a in ('-h', '--help'):
            print(__doc__)
            return 0
        else:
            paths.append(a)
    if not kdir or not os.path.isdir(kdir):
        print('check-words: --kernel-dir DIR (the extracted kernel files) is required',
              file=sys.stderr)
        return 2
    paths = paths or ['src', 'include']

    if runs:
        shared_runs(kdir, paths, runs)
    kernel = kernel_lines(kdir)
    if len(kernel) < 10000:
        print(f'check-words: only {len(kernel)} kernel lines under {kdir}; '
              'is the extraction complete?', file=sys.stderr)
        return 2

    flagged = checked = 0
    missing = {}
    for path in source_files(paths, ('.c', '.h')):
        for n, text in comment_lines(read(path)):
            for cited in CITED.findall(text):
                if not os.path.exists(os.path.join(kdir, cited)):
                    missing.setdefault(cited, f'{path}:{n}')
            t = normalise(text)
            if len(t) < MIN_LEN or t.startswith('SPDX-License-Identifier:'):
                continue
            checked += 1
            hit = kernel.get(t)
            if hit:
                flagged += 1
                print(f'{path}:{n}: {t}\n    = {hit[0]}:{hit[1]}')
    for cited, where in sorted(missing.items()):
        print(f'check-words: note: {where} cites {cited}, which is not among the kernel '
              'files compared (MEMBERS in tools/check-own-words.sh)', file=sys.stderr)
    if flagged:
        print(f'check-words: {flagged} comment line(s) copied word for word from '
              'Linux 6.12; say it in our own words', file=sys.stderr)
        return 1
    print(f'check-words: {checked} comment lines of {MIN_LEN}+ characters, '
          'none copied from Linux 6.12')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
