# compare: stderr
import atexit
import sys


def first():
    print("first registered, runs last")


def second(name):
    print("second registered, runs first:", name)


atexit.register(first)
atexit.register(second, "x")
print("main")
sys.exit(3)
print("not reached")
