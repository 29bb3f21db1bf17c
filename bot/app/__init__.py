"""The application: the only floor that imports both the core and the database. A
:class:`~bot.app.context.Context` carries what the flows share; the
:class:`~bot.app.service.Service` composes the flows (knowledge, mock interviews, daily questions)
and the jobs (daily runner, interview expiry) into the one API front ends call."""
