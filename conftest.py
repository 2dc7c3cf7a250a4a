pytest_plugins = ["crosscheck_platform.testing.fixtures"]
