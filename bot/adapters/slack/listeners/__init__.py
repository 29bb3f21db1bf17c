"""The bolt listeners of the Slack front end, one module per kind of request: slash commands,
block actions (buttons), view submissions (the answer modal), message events (thread replies),
the learning loop's commands, buttons and Home tab (:mod:`.learning`), and the global error
handler that is the one place a failure becomes a message. Each module has
``register(app, front)``; :class:`~bot.adapters.slack.listeners.front.Front` is what they need
from the front end."""
