pytest_plugins = ["crosscheck_testing.fixtures", "crosscheck_testing.stores"]
