pytest_plugins = [
    "tests.fixtures.record_system",
    "tests.fixtures.host",
    "tests.fixtures.browser",
    "tests.fixtures.soak",
    "tests.fixtures.postgres",
]
