"""`pytest -m "not infra"` must leave out every test that needs the broker or the database,
without the test having to say so: the testing plugin marks them by their fixtures."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_tests_reaching_the_stack_through_fixtures_are_marked_infra(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = session\n")
    pytester.makeconftest('pytest_plugins = ["crosscheck_testing.fixtures"]')
    pytester.makepyfile(
        test_needs="""
        import pytest

        @pytest.fixture
        def built_on_the_database(database):
            return database

        @pytest.fixture(scope="module")
        def built_on_infra(infra):
            return infra

        def test_direct(infra):
            pass

        def test_through_topics(topics):
            pass

        def test_through_a_fixture_of_its_own(built_on_the_database):
            pass

        def test_through_a_module_fixture(built_on_infra):
            pass

        def test_needing_nothing(unique_name):
            pass
        """
    )

    selected = pytester.runpytest("-m", "not infra", "--co", "-q", "-p", "no:cacheprovider")

    assert [line for line in selected.outlines if "::" in line] == [
        "test_needs.py::test_needing_nothing"
    ]
    selected.stdout.fnmatch_lines(["1/5 tests collected (4 deselected)*"])
