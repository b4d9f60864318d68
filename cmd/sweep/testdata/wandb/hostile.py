"""Programs that misbehave as real ones do, chosen by --mode."""
import json
import os
import subprocess
import sys
import time

mode = next(a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--mode="))


def report(i):
    print(json.dumps({"epoch": i, "score": i / 10, "mode": mode}), flush=True)


report(1)
if mode == "child":  # a child that keeps the program's stdout open after it exits
    subprocess.Popen(["sleep", "600"])
elif mode == "daemon":  # a daemon: double fork, setsid, stdout kept
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
        os._exit(0)
    os.wait()
elif mode == "stdin":  # reads its standard input to the end
    got = sys.stdin.read()
    print("stdin held %d bytes" % len(got), flush=True)
elif mode == "binary":  # output that is not UTF-8, one line of 5 MB
    sys.stdout.flush()
    sys.stdout.buffer.write(b"\xff\xfe\x80 not utf-8 " + b"\xc3\x28" * (5 << 19) + b"\n")
    sys.stdout.buffer.flush()
report(2)
report(3)
