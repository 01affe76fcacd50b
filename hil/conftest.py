"""hil/: the reference reader (han_reader.py) is a program beside this file; its tests and
the end-to-end suite import it from here. The hansim fixtures come from the package's pytest
plugin (entry point `pytest11`), not from this file."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
