"""The Slack front end (slack-bolt, async): listeners registered per kind, bolt's error handler,
modals, notes uploads (the ``/notes add`` modal, files shared in a DM), the notifier, and the
Block Kit renderer; Socket Mode or HTTP."""
