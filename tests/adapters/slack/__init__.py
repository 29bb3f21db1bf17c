"""End-to-end tests of the Slack front end against a fake Slack on 127.0.0.1."""
