pytest_plugins = ["crosscheck_platform.testing.fixtures", "crosscheck_platform.testing.stores"]
