"""The console front end: a REPL over the Service (prompt_toolkit in a terminal, plain lines
from a pipe), its renderer and the notifier that prints pushed messages."""
