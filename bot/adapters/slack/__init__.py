"""The Slack front end (slack-bolt, async): listeners registered per kind, bolt's error handler,
modals, the notifier, and the Block Kit renderer; Socket Mode or HTTP."""
