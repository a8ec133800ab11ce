# compare: stderr
import atexit
import sys

atexit.register(print, "handler")
print("main")
sys.exit("bye")
