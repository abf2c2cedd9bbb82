"""A user's application of the greeter wheel, run on each CPython."""

import sys

import greeter

assert greeter.greet("Ada") == "Hello, Ada!"
try:
    greeter.greet("")
except greeter.EmptyError as error:
    assert str(error) == "a name cannot be empty"
    assert isinstance(error, greeter.GreetError)
else:
    raise AssertionError("no error")
assert greeter._native.__file__.endswith(".abi3.so"), greeter._native.__file__
if "--in-crate" in sys.argv:
    assert greeter.shout("ada") == "ADA"
print(f"greeter ran on CPython {sys.version_info[0]}.{sys.version_info[1]}")
