"""Front ends: console, Discord, Slack. Each turns a platform event into a Caller plus plain
arguments, awaits one Service call and renders the Reply; none touches the database."""
