"""tests/BAD_INPUT.md stays true: it is exactly what bad_input.py renders, every section names
a test that still exists, and a test whose rows differ from the committed table fails."""
import re

import pytest

import bad_input


def test_the_committed_table_is_as_rendered_and_names_existing_tests():
    sections = bad_input.read_sections()
    assert sections, "tests/BAD_INPUT.md is missing or empty"
    assert bad_input.TABLE.read_text() == bad_input.render(sections), \
        f"tests/BAD_INPUT.md was edited by hand; regenerate with {bad_input.REGENERATE}"
    stale = [name for name in sections if not bad_input.section_exists(name)]
    assert not stale, f"sections of tests that no longer exist (regenerate with {bad_input.REGENERATE}): {stale}"


def test_a_difference_fails_and_an_update_rewrites_only_that_section(tmp_path):
    table = tmp_path / "BAD_INPUT.md"
    other = "test_bad_input_table.py::test_the_committed_table_is_as_rendered_and_names_existing_tests"
    mine = "test_bad_input_table.py::test_a_difference_fails_and_an_update_rewrites_only_that_section"
    gone = "test_gone.py::test_x"
    table.write_text(bad_input.render({other: ["| `a` |  | 2 | `x` |"], mine: ["| `b` |  | 2 | `old` |"],
                                       gone: ["| `c` |  | 1 | `y` |"]}))
    with pytest.raises(pytest.fail.Exception, match="(?s)not in the table.*new.*no longer produced.*old"):
        bad_input.check_section(mine, ["| `b` |  | 2 | `new` |"], table)
    bad_input.check_section(mine, ["| `b` |  | 2 | `old` |"], table)
    bad_input.update_section(mine, ["| `b` |  | 2 | `new` |"], table)
    # the other test's rows stay; the section of a test that no longer exists is dropped
    assert bad_input.read_sections(table) == {other: ["| `a` |  | 2 | `x` |"], mine: ["| `b` |  | 2 | `new` |"]}


def test_cells_keep_pipes_and_backticks(bad_input, tmp_path):
    proc = bad_input.cli("run", "--port", "a|b`c", expect="a|b`c")
    row = bad_input.rows[-1]
    assert "a\\|b`c" in row and len(re.split(r"(?<!\\)\|", row)) == 6, row
    assert proc.returncode == 2
