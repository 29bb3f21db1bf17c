"""A fake Slack on 127.0.0.1 for driving the real slack-bolt ``AsyncApp`` end to end.

The package owns Slack's rules (:mod:`.payloads`: limits, Block Kit, message and modal
validation, pings), the servers with the workspace they act on and everything they record
(:mod:`.server`: Web API, ``response_url`` endpoints, Socket Mode websocket), and what tests
drive it with (:mod:`.driver`: :class:`FakeSlack`, :class:`SlackDriver`, serving or connecting
the Bolt app, the fixtures).
"""

from tests.fakes.slack.driver import (
    FakeSlack,
    SignatureMode,
    SlackDriver,
    assert_no_leaked_tasks,
    running_socket_mode,
    serve_bolt_http,
    serve_web_app,
    sign_request,
)
from tests.fakes.slack.payloads import (
    MAX_ACTION_ID,
    MAX_BUTTON_TEXT,
    MAX_BUTTON_VALUE,
    MAX_HEADER_TEXT,
    MAX_MESSAGE_BLOCKS,
    MAX_MESSAGE_TEXT,
    MAX_MODAL_TITLE,
    MAX_RESPONSE_URL_USES,
    MAX_SECTION_TEXT,
    MAX_TEXT_INPUT_LENGTH,
    SlackApiFailure,
    check_message,
    check_view,
    find_pings,
)
from tests.fakes.slack.server import (
    ADMIN_USER_ID,
    BOT_USER_ID,
    DEFAULT_CHANNEL_ID,
    DEFAULT_USER_ID,
    OWNER_USER_ID,
    ApiCall,
    Button,
    Delivery,
    FakeChannel,
    FakeMessage,
    FakeSlackServer,
    FakeUser,
    FakeView,
    ResponseUrlPost,
    SocketAck,
)

__all__ = [
    "ADMIN_USER_ID",
    "BOT_USER_ID",
    "DEFAULT_CHANNEL_ID",
    "DEFAULT_USER_ID",
    "MAX_ACTION_ID",
    "MAX_BUTTON_TEXT",
    "MAX_BUTTON_VALUE",
    "MAX_HEADER_TEXT",
    "MAX_MESSAGE_BLOCKS",
    "MAX_MESSAGE_TEXT",
    "MAX_MODAL_TITLE",
    "MAX_RESPONSE_URL_USES",
    "MAX_SECTION_TEXT",
    "MAX_TEXT_INPUT_LENGTH",
    "OWNER_USER_ID",
    "ApiCall",
    "Button",
    "Delivery",
    "FakeChannel",
    "FakeMessage",
    "FakeSlack",
    "FakeSlackServer",
    "FakeUser",
    "FakeView",
    "ResponseUrlPost",
    "SignatureMode",
    "SlackApiFailure",
    "SlackDriver",
    "SocketAck",
    "assert_no_leaked_tasks",
    "check_message",
    "check_view",
    "find_pings",
    "running_socket_mode",
    "serve_bolt_http",
    "serve_web_app",
    "sign_request",
]
