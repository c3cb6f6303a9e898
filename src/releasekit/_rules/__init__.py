"""The rules layer: environments, windows, policies, guards and the engine.

Everything here is pure: no I/O, and no reading of the system clock. Time is
always passed in.
"""
