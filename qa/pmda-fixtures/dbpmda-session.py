#!/usr/bin/python3
# qa/pmda-fixtures/dbpmda-session.py: drive one dbpmda session line by line through a
# pseudo-terminal, so that shell commands can change files between two requests to the
# same PMDA process (dbpmda reads a pipe in large blocks, a terminal line by line).
#   dbpmda-session.py SCRIPT -- dbpmda ARGS...
# SCRIPT lines are dbpmda commands; a line "! CMD" runs CMD with sh after every earlier
# command has been answered. Prints each command after a "dbpmda> " prompt, then its answer.
# A command line "@MS CMD" runs CMD and also prints whether its answer took at most MS ms.
import os, pty, subprocess, sys, termios, time

script, argv = sys.argv[1], sys.argv[3:]
master, slave = pty.openpty()
attrs = termios.tcgetattr(slave)
attrs[3] &= ~termios.ECHO
attrs[1] &= ~termios.ONLCR
termios.tcsetattr(slave, termios.TCSANOW, attrs)
env = dict(os.environ, TERM="dumb", INPUTRC="/dev/null")
proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, close_fds=True, env=env)
os.close(slave)
out = bytearray()

def read_until_prompt(timeout=30):
    deadline = time.time() + timeout
    while not out.endswith(b"dbpmda> "):
        if time.time() > deadline:
            sys.stdout.write(out.decode(errors="replace") + "\n[timed out]\n")
            proc.kill()
            sys.exit(1)
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out.extend(chunk)

def flush():
    text = out.decode(errors="replace").replace("\x1b[?2004h", "").replace("\x1b[?2004l", "")
    if text.endswith("dbpmda> "):
        text = text[:-len("dbpmda> ")]
    sys.stdout.write(text.replace("\r\n", "\n"))
    sys.stdout.flush()
    out.clear()

read_until_prompt()
flush()
for line in open(script):
    line = line.rstrip("\n")
    if line.startswith("!"):
        subprocess.run(line[1:], shell=True, check=False)
        continue
    limit = None
    if line.startswith("@"):
        limit, line = line[1:].split(" ", 1)
    sys.stdout.write("dbpmda> " + line + "\n")
    t0 = time.monotonic()
    os.write(master, (line + "\n").encode())
    read_until_prompt()
    if limit is not None:
        ms = (time.monotonic() - t0) * 1000
        if out.endswith(b"dbpmda> "):
            del out[-len(b"dbpmda> "):]
        out.extend(("[answered within %s ms]\n" % limit if ms <= float(limit)
                    else "[took %.0f ms, more than %s]\n" % (ms, limit)).encode())
    flush()
os.write(master, b"quit\n")
try:
    while True:
        chunk = os.read(master, 65536)
        if not chunk:
            break
        out.extend(chunk)
except OSError:
    pass
flush()
proc.wait()
