"""The app commands: ``/define`` (with autocomplete), the ``/interview`` group and the
``/daily`` group (Manage Server only). Each turns an interaction into one Service call."""
