"""Fixtures for the fake Slack's own tests: a started fake Slack on 127.0.0.1."""

from tests.fakes.slack.driver import fake_slack as fake_slack
from tests.fakes.slack.driver import no_proxy_env as no_proxy_env
from tests.fakes.slack.driver import task_leak_guard as task_leak_guard
