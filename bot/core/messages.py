"""Every user-facing string, per locale. Korean is the default; English by setting.

Use :func:`t` with a key and named parameters. A test checks that both locales define every key
and the same placeholders.

Grammar that depends on a parameter is written with a conversion after its name:
``{query!은}`` is the particle 은 or 는 that follows the value of ``query`` (``!이`` 이/가,
``!을`` 을/를, ``!과`` 과/와), and ``{count!p}`` is ``s`` unless ``count`` is 1 (``{count}
question{count!p}``). So no message shows 은(는) or "question(s)".
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any, Final

from bot.core.knowledge.text import has_final_consonant

DEFAULT_LOCALE: Final = "ko"

MESSAGES: Final[dict[str, dict[str, str]]] = {
    # --- general -------------------------------------------------------------------------
    "help_title": {"ko": "사용할 수 있는 명령", "en": "Commands"},
    "help_body": {
        "ko": (
            "/define <용어> — 노트에서 개념을 찾아 설명합니다 (오타·띄어쓰기·조사·영문/한글 상관없음)\n"
            "/interview [주제] [문항 수] — 모의 면접을 시작합니다\n"
            "    면접 중: 그냥 입력하면 답변, /hint 힌트, /skip 넘기기, /stop 끝내기\n"
            "/topics — 면접 주제와 개념 수\n"
            "/daily now | set [HH:MM] [시간대] [요일] [topic=주제|전체] | off | status — 오늘의 질문 (set은 적은 것만 바꿔요)\n"
            "/appeal [답변 번호] [메모] — 채점이 틀렸다고 알립니다 (그 답은 맞은 것으로 기록)\n"
            "/appeals — 개념별 이의 제기 현황 (관리자)\n"
            "/notes list | add <파일 경로> | add git <URL>[#브랜치][:폴더] | sync | remove <번호> — 노트 출처 (관리자)\n"
            "/review [anyway] — 복습할 카드로 면접 (anyway: 밀린 게 없어도 지금)\n"
            "/remind on HH:MM [시간대] | off | status — 복습할 카드가 있으면 매일 알림\n"
            "/stats — 내 학습 통계와 그래프 (파일로 저장)\n"
            "/leaderboard [week|all] [쪽] | optout | optin — 리더보드, 빠지기·다시 나오기\n"
            "/export — 답변 기록 CSV와 약한 개념 Anki 카드 (파일로 저장)\n"
            "/reload — 노트를 다시 불러옵니다 (/notes sync 와 같아요)\n"
            "/help — 이 도움말\n"
            "/quit — 끝내기"
        ),
        "en": (
            "/define <term> — look a concept up in the notes (typos, spacing, Korean/English all fine)\n"
            "/interview [topic] [rounds] — start a mock interview\n"
            "    while it runs: type to answer, /hint, /skip, /stop\n"
            "/topics — interview topics and their concept counts\n"
            "/daily now | set [HH:MM] [time zone] [weekdays] [topic=topic|all] | off | status — daily question (set changes only what you give)\n"
            "/appeal [answer id] [note] — tell the bot a grade was wrong (it then counts as correct)\n"
            "/appeals — appeals per concept (admins)\n"
            "/notes list | add <file path> | add git <url>[#branch][:folder] | sync | remove <number> — notes sources (admins)\n"
            "/review [anyway] — review your due cards as an interview (anyway: even if nothing is due)\n"
            "/remind on HH:MM [time zone] | off | status — a daily reminder when cards are due\n"
            "/stats — your learning stats with a chart (saved as a file)\n"
            "/leaderboard [week|all] [page] | optout | optin — the leaderboard; leave it or come back\n"
            "/export — your answers as CSV and an Anki deck of your weakest concepts (saved as files)\n"
            "/reload — load the notes again (same as /notes sync)\n"
            "/help — this help\n"
            "/quit — leave"
        ),
    },
    "console_welcome": {
        "ko": "interview-bot — 개념 {count}개 준비됨. /help 로 명령을 볼 수 있어요.",
        "en": "interview-bot — {count} concept{count!p} ready. Type /help for commands.",
    },
    "console_unknown_command": {
        "ko": "알 수 없는 명령입니다: {command} (/help 참고)",
        "en": "Unknown command: {command} (see /help)",
    },
    "console_bye": {"ko": "안녕히 가세요!", "en": "Bye!"},
    "console_pick_out_of_range": {
        "ko": "{number}번은 없어요. 목록의 번호(1–{count})를 입력해 주세요.",
        "en": "There is no choice {number}: type a number from the list (1–{count}).",
    },
    "console_daily_still_answering": {
        "ko": "명령이 아닌 입력은 계속 오늘의 질문에 대한 답으로 받아요. 다른 일은 /define 처럼 명령으로 해 주세요.",
        "en": "Plain lines still answer the daily question; type a command (such as /define) to do anything else.",
    },
    "internal_error": {
        "ko": "죄송합니다, 처리 중 문제가 생겼어요. 잠시 뒤 다시 시도해 주세요.",
        "en": "Sorry, something went wrong. Please try again in a moment.",
    },
    "error_title": {"ko": "처리할 수 없어요", "en": "Can't do that"},
    # --- define --------------------------------------------------------------------------
    "define_empty_query": {
        "ko": "찾을 용어를 입력해 주세요. 예: /define 경사하강법",
        "en": "Type a term to look up, e.g. /define gradient descent",
    },
    "define_query_too_long": {
        "ko": "검색어가 너무 깁니다 ({length}자). {limit}자 이내로 입력해 주세요.",
        "en": "That query is too long ({length} chars). Keep it under {limit}.",
    },
    "field_aliases": {"ko": "다른 이름", "en": "Also known as"},
    "field_category": {"ko": "분류", "en": "Category"},
    "field_hints": {"ko": "힌트", "en": "Hints"},
    "interview_not_yours": {
        "ko": "이 면접은 다른 분이 진행 중이에요. 내 면접은 /interview 로 시작해 주세요.",
        "en": "This interview is someone else's. Start your own with /interview.",
    },
    "grade_hint_penalty": {
        "ko": "힌트 {hints}개를 써서 {points}점을 뺐어요",
        "en": "{hints} hint{hints!p} used: {points} point{points!p} off",
    },
    "field_source": {"ko": "출처", "en": "Source"},
    "define_related_title": {"ko": "비슷한 개념", "en": "Related concepts"},
    "grade_cli_choose": {
        "ko": "'{query}'에 맞는 개념이 하나로 정해지지 않아요. 아래 명령 중 하나로 다시 실행해 주세요:",
        "en": "'{query}' names more than one concept. Run one of these instead:",
    },
    "did_you_mean_title": {"ko": "혹시 이것을 찾으셨나요?", "en": "Did you mean?"},
    "same_name_title": {
        "ko": "같은 이름의 개념이 여럿 있어요",
        "en": "Several concepts have this name",
    },
    "same_name_body": {
        "ko": "'{query}'{query!은} 여러 노트에 있어요. 출처를 보고 하나를 골라 주세요.",
        "en": "'{query}' is in several notes. Pick one by its source below.",
    },
    "did_you_mean_body": {
        "ko": "'{query}'{query!과} 정확히 일치하는 개념이 없어요. 아래에서 골라 주세요.",
        "en": "No concept matches '{query}' exactly. Pick one below.",
    },
    "not_found_title": {"ko": "찾을 수 없어요", "en": "Not found"},
    "not_found_body": {
        "ko": "'{query}'에 해당하는 개념이 노트에 없어요. 철자를 확인하거나 다른 이름으로 찾아보세요.",
        "en": "There is no concept like '{query}' in the notes. Check the spelling or try another name.",
    },
    "knowledge_empty": {
        "ko": "아직 불러온 노트가 없어요. `interview-bot ingest <폴더>` 로 노트를 불러오세요.",
        "en": "No notes are loaded yet. Load some with `interview-bot ingest <folder>`.",
    },
    # --- ingest --------------------------------------------------------------------------
    "ingest_summary": {
        "ko": (
            "파일 {files}개 (변경 {changed}, 그대로 {unchanged}, 삭제 {deleted}, "
            "노트 없음·읽을 수 없음 {files_skipped}) · "
            "개념 추가 {added}, 수정 {updated}, 삭제 {removed}, 건너뜀 {skipped} · "
            "전체 개념 {total}개"
        ),
        "en": (
            "{files} file{files!p} ({changed} changed, {unchanged} unchanged, {deleted} deleted, "
            "{files_skipped} without notes or unreadable) · "
            "concepts {added} added, {updated} updated, {removed} removed, {skipped} skipped · "
            "{total} concept{total!p} in all"
        ),
    },
    "ingest_progress_files": {"ko": "노트 읽기", "en": "reading notes"},
    "database_unreachable": {
        "ko": "데이터베이스에 연결할 수 없어요 ({url}): {reason}. DATABASE_URL을 확인해 주세요.",
        "en": "Cannot reach the database ({url}): {reason}. Check DATABASE_URL.",
    },
    "missing_credentials": {
        "ko": "환경 변수가 없어요: {names} (README의 배포 안내를 보세요)",
        "en": "Not set: {names} (see README, Deployment)",
    },
    "slack_invite_needed": {
        "ko": "이 채널에 제가 없어서 스레드 답을 읽을 수 없어요. 채널에서 /invite @interview-bot 으로 초대한 뒤 다시 해 주세요.",
        "en": "I'm not in this channel, so I can't read answers in its threads. Invite me with /invite @interview-bot, then try again.",
    },
    "health_ok": {
        "ko": "정상: 데이터베이스 연결됨, 스키마 최신",
        "en": "ok: database reachable, schema current",
    },
    "health_schema": {
        "ko": "데이터베이스 스키마가 최신이 아니에요: 봇을 시작하거나 interview-bot migrate 를 실행하세요.",
        "en": "The database schema is not current: start the bot or run interview-bot migrate.",
    },
    "discord_intent_refused": {
        "ko": "Discord가 메시지 내용 인텐트를 거부했어요: 개발자 포털의 Bot 탭에서 Message Content Intent를 켜거나, DISCORD_MESSAGE_CONTENT=false 로 두세요 (답은 버튼이나 @멘션으로).",
        "en": "Discord refused the message-content intent: turn on Message Content Intent on the developer portal's Bot tab, or leave DISCORD_MESSAGE_CONTENT=false (answers then come by button or @mention).",
    },
    "discord_login_failed": {
        "ko": "Discord 로그인에 실패했어요: DISCORD_TOKEN 이 올바른 봇 토큰인지 확인하세요.",
        "en": "Discord login failed: check that DISCORD_TOKEN is a valid bot token.",
    },
    "data_dir_unusable": {
        "ko": (
            "데이터 폴더를 만들 수 없어요 ({path}): {reason}. DATA_DIR을 쓸 수 있는 폴더로 "
            "정하거나 디스크 공간을 확보해 주세요. 아무것도 바뀌지 않았어요."
        ),
        "en": (
            "Cannot create the data folder ({path}): {reason}. Point DATA_DIR at a writable "
            "folder or free some disk space. Nothing was changed."
        ),
    },
    "database_unusable": {
        "ko": (
            "데이터베이스 파일을 만들거나 쓸 수 없어요 ({path}): {reason}. 폴더의 쓰기 권한과 "
            "남은 디스크 공간을 확인해 주세요. 아무것도 바뀌지 않았어요."
        ),
        "en": (
            "Cannot create or write the database file ({path}): {reason}. Check that its "
            "folder is writable and the disk has space. Nothing was changed."
        ),
    },
    "migrate_done": {"ko": "데이터베이스를 최신으로 올렸어요.", "en": "Database migrated."},
    "migrate_up_to_date": {
        "ko": "데이터베이스가 이미 최신이에요.",
        "en": "Database already up to date.",
    },
    "ingest_progress_key_points": {"ko": "핵심 포인트", "en": "key points"},
    "ingest_progress_saving": {"ko": "저장", "en": "saving"},
    "ingest_warning": {
        "ko": "주의: {path}:{line}: {message}",
        "en": "warning: {path}:{line}: {message}",
    },
    "ingest_failed": {
        "ko": "노트를 불러오지 못했어요. 기존 지식은 그대로입니다.\n{path}:{line}: {detail}",
        "en": "Could not load the notes; the existing knowledge is unchanged.\n{path}:{line}: {detail}",
    },
    "ingest_not_found": {"ko": "경로가 없습니다: {path}", "en": "No such path: {path}"},
    "ingest_no_files": {
        "ko": "{path} 에 노트 파일(.md, .markdown, .txt)이 없습니다.",
        "en": "No notes files (.md, .markdown, .txt) in {path}.",
    },
    "file_skipped": {
        "ko": "건너뛰었습니다: {detail}",
        "en": "skipped: {detail}",
    },
    "file_binary": {
        "ko": "텍스트가 아닌 바이너리 파일입니다",
        "en": "this is a binary file, not text",
    },
    "file_encoding": {
        "ko": "UTF-8(또는 CP949)로 읽을 수 없는 바이트가 있습니다: UTF-8로 저장해 주세요",
        "en": "bytes that are not UTF-8 (nor CP949): save the file as UTF-8",
    },
    "file_empty": {"ko": "빈 파일입니다", "en": "the file is empty"},
    "file_no_concepts": {
        "ko": "개념을 하나도 찾지 못했습니다 (형식: `용어 - 설명` 또는 `## 용어` 아래 설명)",
        "en": "no concept found (format: `Term - definition`, or a `## Term` heading with text below)",
    },
    "file_too_big": {
        "ko": "파일이 너무 큽니다 ({size_kb} KB, 최대 {limit_kb} KB): 여러 파일로 나눠 주세요",
        "en": "the file is too big ({size_kb} KB, at most {limit_kb} KB): split it into several files",
    },
    "file_unreadable": {
        "ko": "파일을 읽을 수 없습니다: {reason}",
        "en": "cannot read the file: {reason}",
    },
    "file_changed_while_reading": {
        "ko": "읽는 동안 파일이 바뀌었습니다 (아직 저장 중인가요?): 저장이 끝난 뒤 다시 불러와 주세요",
        "en": "the file changed while it was being read (still being saved?): load it again once saved",
    },
    "file_decoded_cp949": {
        "ko": "CP949(EUC-KR)로 읽었습니다. UTF-8로 저장하기를 권합니다",
        "en": "read as CP949 (EUC-KR); saving it as UTF-8 is recommended",
    },
    "warn_duplicate_term": {
        "ko": "'{term}' 용어가 {other} 에도 있습니다",
        "en": "the term '{term}' is also defined at {other}",
    },
    "parse_duplicate_term": {
        "ko": "'{term}' 용어가 {first}번째 줄에도 있어 처음 것만 씁니다",
        "en": "duplicate term '{term}' (first at line {first}); kept the first",
    },
    "parse_ignored_text": {
        "ko": "어느 개념에도 속하지 않는 글이라 건너뛰었습니다",
        "en": "text that belongs to no concept was ignored",
    },
    "parse_no_definition": {
        "ko": "'{term}'에 설명이 없어 건너뛰었습니다",
        "en": "'{term}' has no definition; skipped",
    },
    "parse_unclosed_fence": {
        "ko": "코드 블록이 닫히지 않아 일반 글로 읽었습니다",
        "en": "code block is never closed; read as plain text",
    },
    "parse_unclosed_comment": {
        "ko": "HTML 주석이 닫히지 않아 글로 남겼습니다",
        "en": "HTML comment is never closed; kept as text",
    },
    "warn_unknown_alias_term": {
        "ko": "별칭 파일의 '{term}'{term!은} 노트에 없는 용어입니다",
        "en": "'{term}' in the aliases file is not a term in the notes",
    },
    "aliases_invalid": {
        "ko": "별칭 파일을 읽을 수 없습니다 ({path}:{line}): {detail}",
        "en": "cannot read the aliases file ({path}:{line}): {detail}",
    },
    "keypoints_invalid": {
        "ko": "핵심 포인트 파일을 읽을 수 없습니다 ({path}:{line}): {detail}",
        "en": "cannot read the key points file ({path}:{line}): {detail}",
    },
    "synonyms_invalid": {
        "ko": "동의어 파일을 읽을 수 없습니다 ({path}:{line}): {detail}",
        "en": "cannot read the synonyms file ({path}:{line}): {detail}",
    },
    "glossary_invalid": {
        "ko": "용어집 파일을 읽을 수 없습니다 ({path}:{line}): {detail}",
        "en": "cannot read the glossary file ({path}:{line}): {detail}",
    },
    # --- Discord command descriptions (at most 100 characters) ---------------------------
    "cmd_define": {"ko": "노트에서 개념 찾기", "en": "Look a concept up in the notes"},
    "cmd_define_term": {"ko": "찾을 용어", "en": "The term to look up"},
    "cmd_define_private": {"ko": "나만 보기", "en": "Only you see the answer"},
    "cmd_interview": {"ko": "모의 면접", "en": "Mock interview"},
    "cmd_interview_start": {"ko": "모의 면접 시작", "en": "Start a mock interview"},
    "cmd_option_topic": {"ko": "주제 (비우면 전체)", "en": "Topic (empty: all topics)"},
    "cmd_interview_rounds": {"ko": "문항 수", "en": "Number of questions"},
    "cmd_interview_hint": {"ko": "지금 질문의 힌트", "en": "A hint for the current question"},
    "cmd_interview_skip": {"ko": "지금 질문 넘기기", "en": "Skip the current question"},
    "cmd_interview_stop": {"ko": "면접 그만하기", "en": "Stop the interview"},
    "cmd_topics": {"ko": "면접 주제와 개념 수", "en": "Interview topics and their concept counts"},
    "cmd_daily": {"ko": "오늘의 질문", "en": "Daily question"},
    "cmd_daily_set": {"ko": "오늘의 질문 설정", "en": "Set the daily question"},
    "cmd_daily_time": {
        "ko": "시각 HH:MM (예: 09:00; 비우면 그대로)",
        "en": "Time HH:MM (e.g. 09:00; empty: unchanged)",
    },
    "cmd_daily_timezone": {
        "ko": "시간대 (예: Asia/Seoul)",
        "en": "Time zone (e.g. Asia/Seoul)",
    },
    "cmd_daily_weekdays": {
        "ko": "요일: 매일 / 평일 / 주말 / 월,수,금",
        "en": "Days: daily / weekdays / weekend / mon,wed,fri",
    },
    "cmd_daily_mention": {
        "ko": "알릴 역할 (기본: 없음)",
        "en": "Role to mention (default: none)",
    },
    "cmd_daily_off": {"ko": "오늘의 질문 끄기", "en": "Turn the daily question off"},
    "cmd_daily_status": {"ko": "오늘의 질문 설정 보기", "en": "Show the daily question's settings"},
    "cmd_daily_now": {"ko": "지금 질문 올리기", "en": "Post a question now"},
    # --- interview -----------------------------------------------------------------------
    "interview_started": {
        "ko": "모의 면접을 시작합니다 · 주제: {topic} · {rounds}문항",
        "en": "Mock interview started · topic: {topic} · {rounds} question{rounds!p}",
    },
    "interview_started_body": {
        "ko": "{how} 힌트·넘기기·그만하기도 할 수 있어요.",
        "en": "{how} Hint, skip and stop are there too.",
    },
    "interview_started_in_thread": {
        "ko": "{thread} 에서 면접을 시작했어요.",
        "en": "Your interview is in {thread}.",
    },
    "answer_how_text": {
        "ko": "편하게 답해 주세요.",
        "en": "Answer in your own words.",
    },
    "answer_how_mention": {
        "ko": "답변하기 버튼을 누르거나, 저를 @멘션하고 답을 적어 주세요.",
        "en": "Press Answer, or @mention me with your answer.",
    },
    "answer_needs_mention": {
        "ko": "이 서버에서는 저를 멘션한 메시지만 읽을 수 있어요. 답변하기 버튼을 누르거나, 저를 @멘션하고 답을 적어 주세요.",
        "en": "Here I can only read messages that mention me. Press Answer, or @mention me with your answer.",
    },
    "interview_thread_name": {"ko": "모의 면접 · {name}", "en": "Mock interview · {name}"},
    "interview_resumed": {
        "ko": "진행 중이던 면접을 이어서 합니다.",
        "en": "Continuing the interview you had running.",
    },
    "topic_all": {"ko": "전체", "en": "all"},
    "question_title": {
        "ko": "질문 {number}/{total} · {category}",
        "en": "Question {number}/{total} · {category}",
    },
    "grade_title": {"ko": "{score}점 · {band}", "en": "{score}/100 · {band}"},
    "band_excellent": {"ko": "훌륭해요", "en": "excellent"},
    "band_good": {"ko": "좋아요", "en": "good"},
    "band_partial": {"ko": "조금 아쉬워요", "en": "partial"},
    "band_off_topic": {"ko": "핵심을 놓쳤어요", "en": "off topic"},
    "field_hits": {"ko": "맞힌 핵심 포인트", "en": "Key points hit"},
    "field_misses": {"ko": "놓친 핵심 포인트", "en": "Key points missed"},
    "field_reference": {"ko": "모범 답안", "en": "Reference answer"},
    "hit_with_word": {"ko": "{point} ← '{word}'", "en": "{point} ← '{word}'"},
    "field_close": {
        "ko": "비슷하게 말한 핵심 포인트 (절반 점수)",
        "en": "Key points said in other words (half credit)",
    },
    "close_with_sentence": {"ko": '{point} ≈ "{sentence}"', "en": '{point} ≈ "{sentence}"'},
    "field_meaning": {"ko": "모범 답안과의 의미 유사도", "en": "Meaning match with the reference"},
    "meaning_value": {"ko": "{meaning}/100", "en": "{meaning}/100"},
    "nothing": {"ko": "없음", "en": "none"},
    "skipped_title": {"ko": "넘어갔어요 · 0점", "en": "Skipped · 0/100"},
    "summary_title": {"ko": "면접 결과", "en": "Interview summary"},
    "summary_line": {"ko": "{number}. {term} — {score}점", "en": "{number}. {term} — {score}/100"},
    "summary_average": {
        "ko": "평균 {average}점 ({count}문항)",
        "en": "Average {average}/100 ({count} question{count!p})",
    },
    "summary_weakest": {"ko": "다시 볼 개념: {terms}", "en": "Worth another look: {terms}"},
    "summary_no_answers": {"ko": "답한 질문이 없어요.", "en": "No question was answered."},
    "summary_expired": {
        "ko": "{minutes}분 동안 답이 없어 면접을 마쳤어요.",
        "en": "The interview ended after {minutes} idle minute{minutes!p}.",
    },
    "summary_stopped": {"ko": "면접을 마쳤어요.", "en": "Interview stopped."},
    "summary_finished": {
        "ko": "모든 질문을 마쳤어요. 수고하셨어요!",
        "en": "All questions done. Well done!",
    },
    "interview_none": {
        "ko": "진행 중인 면접이 없어요. /interview 로 시작해 보세요.",
        "en": "No interview is running. Start one with /interview.",
    },
    "interview_already_running": {
        "ko": "이미 진행 중인 면접이 있어요 ({number}/{total}번째 질문). 답하거나 그만하기로 끝내 주세요.",
        "en": "An interview is already running (question {number}/{total}). Answer it or stop it first.",
    },
    "topics_title": {"ko": "면접 주제", "en": "Interview topics"},
    "topics_line": {"ko": "• {topic} — {count}개", "en": "• {topic} — {count} concept{count!p}"},
    "topics_how": {
        "ko": "/interview <주제> [문항 수] 로 시작하세요. 주제는 일부만 적어도 돼요 (예: 통계).",
        "en": "Start with /interview <topic> [rounds]; part of a topic's name is enough.",
    },
    "topics_none": {
        "ko": "아직 불러온 노트가 없어 주제가 없어요.",
        "en": "No notes are loaded yet, so there are no topics.",
    },
    "interview_unknown_topic": {
        "ko": "'{topic}' 주제를 찾지 못했어요. 가능한 주제: {categories} (/topics 참고)",
        "en": "No topic like '{topic}'. Topics: {categories} (see /topics)",
    },
    "interview_bad_rounds": {
        "ko": "문항 수는 1에서 {limit} 사이의 숫자로 적어 주세요.",
        "en": "Rounds must be a number from 1 to {limit}.",
    },
    "interview_already_graded": {
        "ko": "이 질문의 답변은 이미 채점되었어요.",
        "en": "An answer to this question was already graded.",
    },
    "hint_title": {"ko": "힌트", "en": "Hint"},
    "hint_body": {
        "ko": "이런 말이 들어가면 좋아요: {hint}",
        "en": "A good answer mentions: {hint}",
    },
    "hint_none_left": {"ko": "더 드릴 힌트가 없어요.", "en": "No more hints for this question."},
    "action_answer": {"ko": "답변하기", "en": "Answer"},
    "action_hint": {"ko": "힌트", "en": "Hint"},
    "action_skip": {"ko": "넘기기", "en": "Skip"},
    "action_stop": {"ko": "그만하기", "en": "Stop"},
    "answer_modal_title": {"ko": "답변", "en": "Your answer"},
    "answer_modal_label": {"ko": "자유롭게 설명해 주세요", "en": "Explain in your own words"},
    # --- daily question ------------------------------------------------------------------
    "daily_title": {"ko": "오늘의 질문 · {date}", "en": "Question of the day · {date}"},
    "daily_title_now": {"ko": "오늘의 질문", "en": "Question of the day"},
    "daily_footer": {
        "ko": "스레드에 답을 남기면 채점해 드려요 · Q#{post_id}",
        "en": "Answer in the thread to get graded · Q#{post_id}",
    },
    "daily_footer_mention": {
        "ko": "답변하기 버튼을 누르거나 스레드에서 저를 @멘션해 답하면 채점해 드려요 · Q#{post_id}",
        "en": "Press Answer, or @mention me in the thread with your answer, to get graded · Q#{post_id}",
    },
    "daily_thread_name": {"ko": "답변 · {term}", "en": "Answers · {term}"},
    "daily_reveal_title": {"ko": "정답 공개 · {term}", "en": "Answer revealed · {term}"},
    "daily_reveal_figures": {
        "ko": "답변 {count}개 · 평균 {average}점",
        "en": "{count} answer{count!p} · average {average}/100",
    },
    "daily_reveal_nobody": {"ko": "아무도 답하지 않았어요.", "en": "Nobody answered."},
    "daily_reveal_missed": {"ko": "많이 놓친 포인트: {points}", "en": "Most missed: {points}"},
    "daily_answered_public": {
        "ko": "{name} 님이 답했어요. 채점 결과는 본인에게만 보여요.",
        "en": "{name} answered. Only they can see their grade.",
    },
    "action_daily_mine": {"ko": "내 채점 보기", "en": "See my grade"},
    "daily_not_answered": {
        "ko": "아직 이 질문에 답하지 않았어요. 스레드에 답을 남기거나 답변하기 버튼을 눌러 주세요.",
        "en": "You have not answered this question yet. Reply in the thread or press Answer.",
    },
    "daily_not_answered_mention": {
        "ko": "아직 이 질문에 답하지 않았어요. 답변하기 버튼을 누르거나 스레드에서 저를 @멘션해 답해 주세요.",
        "en": "You have not answered this question yet. Press Answer, or @mention me in the thread with your answer.",
    },
    "someone": {"ko": "누군가", "en": "Someone"},
    "daily_already_answered": {
        "ko": "이미 이 질문에 답하셨어요 ({score}점). 내일 질문을 기다려 주세요!",
        "en": "You already answered this one ({score}/100). See you tomorrow!",
    },
    "daily_no_post": {
        "ko": "여기에는 답할 오늘의 질문이 없어요.",
        "en": "There is no daily question to answer here.",
    },
    "daily_set_done": {
        "ko": "오늘의 질문을 설정했어요: {when}",
        "en": "Daily question set: {when}",
    },
    "daily_off_done": {
        "ko": "이 채널의 오늘의 질문을 껐어요.",
        "en": "Daily question turned off here.",
    },
    "daily_off_already": {
        "ko": "이 채널의 오늘의 질문은 이미 꺼져 있어요.",
        "en": "The daily question is already off here.",
    },
    "daily_status_title": {"ko": "오늘의 질문 상태", "en": "Daily question status"},
    "daily_status_none": {
        "ko": "이 채널에는 오늘의 질문이 설정되어 있지 않아요. (/daily set 09:00)",
        "en": "No daily question is set for this channel. (/daily set 09:00)",
    },
    "daily_when": {"ko": "{weekdays} {time} ({tz})", "en": "{weekdays} at {time} ({tz})"},
    "daily_field_time": {"ko": "시각", "en": "Time"},
    "daily_field_days": {"ko": "요일", "en": "Days"},
    "daily_field_tz": {"ko": "시간대", "en": "Time zone"},
    "daily_field_mention": {"ko": "멘션", "en": "Mention"},
    "daily_field_kept": {"ko": "그대로 둔 항목", "en": "Kept as before"},
    "daily_field_state": {"ko": "상태", "en": "State"},
    "daily_field_next": {"ko": "다음 게시", "en": "Next post"},
    "daily_field_last": {"ko": "마지막 게시", "en": "Last post"},
    "daily_field_left": {"ko": "이번 순환에 남은 질문", "en": "Left in this cycle"},
    "daily_field_topic": {"ko": "주제", "en": "Topic"},
    "daily_state_on": {"ko": "켜짐", "en": "on"},
    "daily_state_off": {"ko": "꺼짐", "en": "off"},
    "daily_state_disabled": {"ko": "중지됨: {reason}", "en": "disabled: {reason}"},
    "daily_never": {"ko": "아직 없음", "en": "not yet"},
    "daily_bad_time": {
        "ko": "시간을 HH:MM 형식으로 적어 주세요 (예: 09:00, 21:30): '{value}'",
        "en": "Give the time as HH:MM (e.g. 09:00, 21:30): '{value}'",
    },
    "daily_bad_weekdays": {
        "ko": "요일을 알 수 없어요: '{token}' (예: 매일, 평일, 주말, 월,수,금)",
        "en": "Unknown weekday: '{token}' (e.g. daily, weekdays, weekend, mon,wed,fri)",
    },
    "daily_bad_tz": {
        "ko": "시간대를 알 수 없어요: '{value}' (예: Asia/Seoul, America/New_York)",
        "en": "Unknown time zone: '{value}' (e.g. Asia/Seoul, America/New_York)",
    },
    "daily_no_concepts": {
        "ko": "질문할 개념이 없어요. 주제를 확인하거나 노트를 불러오세요.",
        "en": "There are no concepts to ask. Check the topic or load notes.",
    },
    "daily_post_failed": {
        "ko": "질문을 올리지 못했어요: {reason}",
        "en": "Could not post the question: {reason}",
    },
    "daily_usage": {
        "ko": "사용법: /daily now | set [HH:MM] [시간대] [요일] [topic=주제|전체] | off | status (set은 적은 것만 바꿔요)",
        "en": "Usage: /daily now | set [HH:MM] [time zone] [weekdays] [topic=topic|all] | off | status (set changes only what you give)",
    },
    "reason_channel_gone": {
        "ko": "채널에 글을 쓸 수 없어요 ({detail})",
        "en": "cannot post in the channel ({detail})",
    },
    "unknown_action": {
        "ko": "이 버튼은 더 이상 쓸 수 없어요.",
        "en": "This button no longer works.",
    },
    "admin_only": {
        "ko": "관리자만 사용할 수 있는 명령입니다.",
        "en": "Only admins can use this command.",
    },
    # --- appeals -------------------------------------------------------------------------
    "action_appeal": {"ko": "맞게 답했어요", "en": "I was right"},
    "appeal_recorded_title": {"ko": "이의를 접수했어요", "en": "Appeal recorded"},
    "appeal_recorded_body": {
        "ko": (
            "'{term}' 답변({score}점)을 맞은 답으로 기록했어요. 기록과 복습에서는 정답으로 "
            "셉니다. 핵심 포인트를 고치는 데 참고할게요."
        ),
        "en": (
            "Your answer on '{term}' ({score}/100) now counts as correct in your history and "
            "reviews. It will help fix the key points."
        ),
    },
    "appeal_already_title": {"ko": "이미 접수된 이의예요", "en": "Already appealed"},
    "appeal_already_body": {
        "ko": "'{term}' 답변({score}점)의 이의는 {when}에 이미 기록되었어요.",
        "en": "Your appeal of the answer on '{term}' ({score}/100) was already recorded on {when}.",
    },
    "appeal_not_yours": {
        "ko": "본인이 받은 채점에만 이의를 제기할 수 있어요.",
        "en": "Only the person who got this grade can appeal it.",
    },
    "appeal_no_answer": {
        "ko": "이의를 제기할 채점을 찾지 못했어요.",
        "en": "There is no such grade to appeal.",
    },
    "appeal_nothing_yet": {
        "ko": "이번 세션에서 받은 채점이 없어요. /appeal <답변 번호> 로 지정할 수 있어요.",
        "en": "No grade in this session yet. Name one with /appeal <answer id>.",
    },
    "appeal_skipped": {
        "ko": "넘긴 질문에는 이의를 제기할 수 없어요.",
        "en": "A skipped question cannot be appealed.",
    },
    "appeal_cli_hint": {
        "ko": "채점이 틀렸다면: interview-bot appeal {answer_id} [메모]",
        "en": "Grader wrong? interview-bot appeal {answer_id} [note]",
    },
    "appeals_title": {"ko": "이의 제기 현황", "en": "Appeals"},
    "appeals_none": {"ko": "아직 접수된 이의가 없어요.", "en": "No appeals yet."},
    "appeals_by_concept": {
        "ko": "개념별 (이의 / 채점된 답변)",
        "en": "By concept (appeals / graded answers)",
    },
    "appeals_concept_line": {
        "ko": "{term} — 이의 {appeals}건 / 채점 {graded}건 ({rate}%)",
        "en": "{term} — {appeals} appeal{appeals!p} / {graded} graded ({rate}%)",
    },
    "appeals_latest": {"ko": "최근 이의", "en": "Latest appeals"},
    "appeals_latest_line": {
        "ko": "{when} · {term} · {score}점 ({band}) · 답변 #{answer_id}",
        "en": "{when} · {term} · {score}/100 ({band}) · answer #{answer_id}",
    },
    "appeals_answer_line": {"ko": "  답변: {excerpt}", "en": "  answer: {excerpt}"},
    "appeals_note_line": {"ko": "  메모: {note}", "en": "  note: {note}"},
    # --- git sources ---------------------------------------------------------------------
    "git_spec_invalid": {
        "ko": "git 저장소 설정을 읽을 수 없어요: {spec}. 형식은 <URL>[#브랜치][:폴더]이고, 폴더는 저장소 안의 상대 경로여야 해요(.. 불가).",
        "en": "Cannot read the git repository setting: {spec}. The form is <url>[#branch][:folder], the folder a relative path inside the repository (no ..).",
    },
    "git_scheme_refused": {
        "ko": "이 저장소 주소는 쓸 수 없어요: {url}. 허용된 방식: {allowed}",
        "en": "This repository address is not allowed: {url}. Allowed: {allowed}",
    },
    "git_sync_failed": {
        "ko": "git 저장소를 가져오지 못했어요 ({url}): {reason}",
        "en": "Could not fetch the git repository ({url}): {reason}",
    },
    "git_missing": {
        "ko": "git 프로그램을 찾을 수 없어요. git 저장소에서 노트를 가져오려면 git을 설치해 주세요.",
        "en": "The git program was not found. Install git to read notes from a git repository.",
    },
    "git_subdir_missing": {
        "ko": "저장소에 '{subdir}' 폴더가 없어요 ({url}).",
        "en": "The repository has no folder '{subdir}' ({url}).",
    },
    # --- the learning loop: reviews, reminders, stats, leaderboard, export -------------
    "review_title": {"ko": "복습", "en": "Review"},
    "review_intro": {
        "ko": "복습할 개념 {count}개를 오래 밀린 것부터 물어볼게요. 답한 점수로 다음 복습 날짜가 정해져요.",
        "en": "{count} concept{count!p} to review, most overdue first. Your scores set when each comes back.",
    },
    "review_intro_cram": {
        "ko": "오늘 복습할 개념은 없지만, 곧 돌아올 개념 {count}개를 미리 물어볼게요.",
        "en": "Nothing is due today; here are the {count} concept{count!p} coming up soonest, ahead of time.",
    },
    "review_no_cards": {
        "ko": "아직 복습할 카드가 없어요. /interview 나 오늘의 질문에 답하면 카드가 생겨요.",
        "en": "No review cards yet. Answer an /interview or the daily question and cards appear.",
    },
    "review_none_due": {
        "ko": "지금 복습할 개념이 없어요. 다음 복습은 {day} 이에요.",
        "en": "Nothing is due now. Your next review is on {day}.",
    },
    "review_nothing_left": {
        "ko": "복습할 개념이 노트에서 모두 사라졌어요.",
        "en": "The concepts to review are no longer in the notes.",
    },
    "action_review_anyway": {"ko": "그래도 복습하기", "en": "Review anyway"},
    "action_review": {"ko": "복습하기", "en": "Review"},
    "review_next_title": {"ko": "**다음 복습**", "en": "**Next reviews**"},
    "review_next_line": {"ko": "· {term} — {day}", "en": "· {term} — {day}"},
    "remind_title": {"ko": "복습 알림", "en": "Review reminder"},
    "remind_on": {
        "ko": "매일 {time} ({zone})에 복습할 개념이 있으면 DM으로 알려 드릴게요.",
        "en": "Every day at {time} ({zone}) you get a direct message when concepts are due.",
    },
    "remind_off": {"ko": "복습 알림을 껐어요.", "en": "Review reminders are off."},
    "remind_status_on": {
        "ko": "알림: 매일 {time} ({zone}) · 지금 복습할 개념 {due}개",
        "en": "Reminder: every day at {time} ({zone}) · {due} concept{due!p} due now",
    },
    "remind_status_off": {
        "ko": "알림이 꺼져 있어요 (/remind on 21:00 Asia/Seoul) · 지금 복습할 개념 {due}개",
        "en": "Reminders are off (/remind on 21:00 Asia/Seoul) · {due} concept{due!p} due now",
    },
    "remind_bad_time": {
        "ko": "시간을 읽을 수 없어요: '{time}'. 24시간제 HH:MM 으로 적어 주세요 (예: /remind on 21:00 Asia/Seoul).",
        "en": "Cannot read the time '{time}'. Use 24-hour HH:MM (e.g. /remind on 21:00 Asia/Seoul).",
    },
    "nudge_title": {"ko": "복습할 시간이에요", "en": "Time to review"},
    "nudge_body": {
        "ko": "복습할 개념이 {count}개 있어요. /review 로 시작하세요.",
        "en": "{count} concept{count!p} due for review. Start with /review.",
    },
    "stats_title": {"ko": "{name} 님의 기록", "en": "{name}'s progress"},
    "stats_none": {
        "ko": "아직 채점된 답이 없어요. /interview 로 시작해 보세요.",
        "en": "No graded answers yet. Try /interview.",
    },
    "stats_answers": {"ko": "답변", "en": "Answers"},
    "stats_average": {"ko": "평균 점수", "en": "Average score"},
    "stats_streak": {"ko": "연속 학습", "en": "Streak"},
    "stats_days": {"ko": "{count}일", "en": "{count} day{count!p}"},
    "stats_due_week": {"ko": "이번 주 복습", "en": "Due this week"},
    "stats_by_topic": {"ko": "**주제별 평균**", "en": "**Average by topic**"},
    "stats_topic_line": {
        "ko": "· {topic}: {average}점 ({count}회)",
        "en": "· {topic}: {average} ({count} answer{count!p})",
    },
    "stats_weakest": {"ko": "**약한 개념**", "en": "**Weakest concepts**"},
    "stats_weak_line": {
        "ko": "· {term}: {average}점 ({count}회)",
        "en": "· {term}: {average} ({count} answer{count!p})",
    },
    "stats_chart_time": {
        "ko": "점수 변화 (점: 답변, 선: 하루 평균)",
        "en": "Score over time (dots: answers, line: daily average)",
    },
    "stats_chart_topics": {"ko": "주제별 평균", "en": "Average by topic"},
    "leaderboard_title_week": {"ko": "이번 주 순위", "en": "This week's leaderboard"},
    "leaderboard_title_all": {"ko": "전체 순위", "en": "All-time leaderboard"},
    "leaderboard_empty": {"ko": "아직 답한 사람이 없어요.", "en": "Nobody has answered yet."},
    "leaderboard_line": {
        "ko": "{rank}. {name} — 답변 {answers}개 · 평균 {average}점",
        "en": "{rank}. {name} — {answers} answer{answers!p} · average {average}",
    },
    "leaderboard_footer": {
        "ko": "{page}쪽 · 빠지려면 /leaderboard optout",
        "en": "page {page} · leave it with /leaderboard optout",
    },
    "leaderboard_someone": {"ko": "참가자 …{tail}", "en": "member …{tail}"},
    "leaderboard_opted_out": {
        "ko": "순위표에서 빠졌어요. 돌아오려면 /leaderboard optin",
        "en": "You are off the leaderboard. Come back with /leaderboard optin",
    },
    "leaderboard_opted_in": {
        "ko": "순위표에 다시 나와요.",
        "en": "You are on the leaderboard again.",
    },
    "action_previous": {"ko": "이전", "en": "Previous"},
    "action_next": {"ko": "다음", "en": "Next"},
    "export_title": {"ko": "내 기록 내보내기", "en": "Your history"},
    "export_body": {
        "ko": "답변 {count}개를 CSV로, 약한 개념을 Anki에서 가져올 수 있는 덱(탭 구분)으로 보냈어요.",
        "en": "{count} answer{count!p} as CSV, and your weakest concepts as an Anki-importable deck (tab-separated).",
    },
    "dashboard_title": {"ko": "{name} 님의 복습", "en": "{name}'s reviews"},
    "dashboard_body": {
        "ko": "복습 버튼을 누르면 밀린 개념부터 물어봐요.",
        "en": "Press Review to go through what is due, most overdue first.",
    },
    "dashboard_due": {"ko": "지금 복습할 개념", "en": "Due now"},
    "dashboard_weak_topics": {"ko": "약한 주제", "en": "Weakest topics"},
    # --- learning loop on Discord and the console
    "cmd_review": {
        "ko": "복습할 카드로 면접 시작 (오래 밀린 것부터)",
        "en": "Review your due cards as an interview (most overdue first)",
    },
    "cmd_review_anyway": {
        "ko": "복습할 카드가 없어도 지금 복습하기",
        "en": "Review now even if nothing is due yet",
    },
    "cmd_remind": {"ko": "복습 알림 (DM)", "en": "Review reminders (DM)"},
    "cmd_remind_on": {
        "ko": "매일 정한 시각에 복습할 카드가 있으면 DM으로 알림",
        "en": "A DM at a time of day when cards are due",
    },
    "cmd_remind_time": {"ko": "시각 HH:MM (예: 21:00)", "en": "Time HH:MM (e.g. 21:00)"},
    "cmd_remind_zone": {
        "ko": "시간대 (예: Asia/Seoul; 비우면 기본값)",
        "en": "Time zone (e.g. Asia/Seoul; empty: the default)",
    },
    "cmd_remind_off": {"ko": "복습 알림 끄기", "en": "Turn review reminders off"},
    "cmd_remind_status": {"ko": "복습 알림 설정 보기", "en": "Show your review reminder"},
    "cmd_stats": {
        "ko": "내 학습 통계와 그래프 (나만 보기)",
        "en": "Your learning stats with a chart (only you see them)",
    },
    "cmd_stats_member": {
        "ko": "다른 멤버의 통계 (관리자)",
        "en": "Another member's stats (admins)",
    },
    "cmd_leaderboard": {"ko": "리더보드", "en": "Leaderboard"},
    "cmd_leaderboard_show": {
        "ko": "이 서버의 리더보드 (아무도 호출하지 않아요)",
        "en": "This server's leaderboard (nobody is pinged)",
    },
    "cmd_leaderboard_period": {"ko": "기간", "en": "Period"},
    "cmd_leaderboard_week": {"ko": "이번 주", "en": "This week"},
    "cmd_leaderboard_all": {"ko": "전체 기간", "en": "All time"},
    "cmd_leaderboard_page": {"ko": "쪽 번호", "en": "Page number"},
    "cmd_leaderboard_optout": {
        "ko": "리더보드에서 나를 빼기",
        "en": "Leave the leaderboard",
    },
    "cmd_leaderboard_optin": {
        "ko": "리더보드에 다시 나오기",
        "en": "Show up on the leaderboard again",
    },
    "cmd_export": {
        "ko": "내 답변 기록(CSV)과 약한 개념 Anki 카드 받기 (나만 보기)",
        "en": "Your answers (CSV) and an Anki deck of your weakest concepts (only you)",
    },
    "review_thread_name": {"ko": "{name}님의 복습", "en": "{name}'s review"},
    "review_started_in_thread": {
        "ko": "복습을 시작했어요: {thread}",
        "en": "Review started: {thread}",
    },
    "review_in_server": {
        "ko": "복습할 카드는 {server} 서버에 있어요. 그 서버에서 /review 로 시작해 주세요.",
        "en": "The cards to review are in {server}. Start the review there with /review.",
    },
    "console_file_saved": {"ko": "파일을 저장했어요: {path}", "en": "Saved a file: {path}"},
    "console_review_usage": {
        "ko": "사용법: /review [anyway]",
        "en": "Usage: /review [anyway]",
    },
    "console_remind_usage": {
        "ko": "사용법: /remind on HH:MM [시간대] | off | status",
        "en": "Usage: /remind on HH:MM [time zone] | off | status",
    },
    "console_leaderboard_usage": {
        "ko": "사용법: /leaderboard [week|all] [쪽] | optout | optin",
        "en": "Usage: /leaderboard [week|all] [page] | optout | optin",
    },
    # --- /notes on Discord and the console ----------------------------------------------
    "cmd_notes": {
        "ko": "노트 출처 관리 (관리자)",
        "en": "Manage where the notes come from (admins)",
    },
    "cmd_notes_add": {
        "ko": "이 서버에 노트 추가 (파일 첨부 또는 git 저장소)",
        "en": "Add notes to this server (attach a file or give a git repository)",
    },
    "cmd_notes_file": {
        "ko": "노트 파일 (.md, .markdown, .txt)",
        "en": "A notes file (.md, .markdown, .txt)",
    },
    "cmd_notes_git": {
        "ko": "git 저장소 <URL>[#브랜치][:폴더]",
        "en": "A git repository <url>[#branch][:folder]",
    },
    "cmd_notes_list": {"ko": "노트 출처 목록", "en": "List the notes sources"},
    "cmd_notes_sync": {"ko": "노트 출처 다시 가져오기", "en": "Pull the notes sources again"},
    "cmd_notes_remove": {
        "ko": "이 서버의 노트 출처 빼기",
        "en": "Remove one of this server's notes sources",
    },
    "cmd_notes_source": {
        "ko": "출처 번호(/notes list) 또는 이름",
        "en": "The source's number (see /notes list) or name",
    },
    "notes_add_both": {
        "ko": "파일과 git 저장소 중 하나만 주세요.",
        "en": "Give either a file or a git repository, not both.",
    },
    "console_notes_usage": {
        "ko": "사용법: /notes list | add <파일 경로> | add git <URL>[#브랜치][:폴더] | sync | remove <번호|이름>",
        "en": "Usage: /notes list | add <file path> | add git <url>[#branch][:folder] | sync | remove <number|name>",
    },
    "console_file_unreadable": {
        "ko": "'{path}' 파일을 읽을 수 없어요: {reason}",
        "en": "Cannot read the file '{path}': {reason}",
    },
    # --- learning loop on Slack -----------------------------------------------------------
    "slack_review_head": {"ko": "{name}님의 복습", "en": "{name}'s review"},
    "slack_files_in_dm": {
        "ko": "파일은 앱과의 DM으로 보냈어요.",
        "en": "The files are in your DM with the app.",
    },
    "slack_files_no_dm": {
        "ko": "DM을 열 수 없어서 파일을 보내지 못했어요.",
        "en": "Could not open a DM with you, so the files were not sent.",
    },
    "slack_stats_usage": {
        "ko": "사용법: /stats [@멤버] (다른 멤버의 통계는 관리자만 볼 수 있어요)",
        "en": "Usage: /stats [@member] (another member's stats are for admins)",
    },
    "slack_leaderboard_usage": {
        "ko": "사용법: /leaderboard [week|all] [페이지] | optout | optin",
        "en": "Usage: /leaderboard [week|all] [page] | optout | optin",
    },
    # --- /notes on Slack ------------------------------------------------------------------
    "slack_notes_modal_title": {"ko": "노트 추가", "en": "Add notes"},
    "slack_notes_modal_submit": {"ko": "추가", "en": "Add"},
    "slack_notes_modal_label": {
        "ko": "노트 파일 ({types}, 최대 {limit_kb} KB)",
        "en": "Notes file ({types}, up to {limit_kb} KB)",
    },
    "slack_notes_modal_hint": {
        "ko": "이 워크스페이스에서만 쓰는 노트가 돼요. 같은 이름의 파일은 새 파일로 바뀌어요. 봇에게 DM으로 파일을 보내도 돼요.",
        "en": "The notes are for this workspace only; a file of the same name is replaced. You can also send the file to the bot in a DM.",
    },
    "slack_notes_help_title": {"ko": "/notes — 노트 출처", "en": "/notes — notes sources"},
    "slack_notes_help": {
        "ko": (
            "/notes list — 노트 출처 보기\n"
            "/notes add — 노트 파일({types}, 최대 {limit_kb} KB) 올리기 (봇에게 DM으로 보내도 돼요)\n"
            "/notes add git <URL>[#브랜치][:폴더] — git 저장소 추가\n"
            "/notes sync — 저장소에서 다시 가져오기\n"
            "/notes remove <번호> — 출처 빼기"
        ),
        "en": (
            "/notes list — the notes sources\n"
            "/notes add — upload a notes file ({types}, up to {limit_kb} KB; or send it to the bot in a DM)\n"
            "/notes add git <url>[#branch][:folder] — add a git repository\n"
            "/notes sync — pull the repositories again\n"
            "/notes remove <number> — take a source away"
        ),
    },
    "slack_download_login_page": {
        "ko": "Slack이 파일 대신 로그인 페이지를 보냈어요. 앱에 files:read 권한이 있는지 확인해 주세요",
        "en": "Slack sent a login page instead of the file; check that the app has the files:read scope",
    },
    "slack_download_status": {"ko": "HTTP {status}", "en": "HTTP {status}"},
    "slack_download_unreachable": {"ko": "연결 오류", "en": "connection error"},
    "slack_download_no_url": {
        "ko": "파일 주소가 없어요",
        "en": "the file has no download address",
    },
    # --- /notes: where notes come from -------------------------------------------------
    "notes_list_title": {"ko": "노트 출처", "en": "Notes sources"},
    "notes_list_empty": {"ko": "아직 노트 출처가 없어요.", "en": "No notes sources yet."},
    "notes_source_line": {
        "ko": "#{id} {kind} {label} ({owner}) — 파일 {files}개, 개념 {concepts}개 · 마지막 변경 {changed}",
        "en": "#{id} {kind} {label} ({owner}) — {files} file{files!p}, {concepts} concept{concepts!p} · last change {changed}",
    },
    "notes_source_commit": {"ko": "커밋 {commit}", "en": "commit {commit}"},
    "notes_source_error": {
        "ko": "⚠ 마지막 동기화 실패: {error}",
        "en": "⚠ last sync failed: {error}",
    },
    "notes_sync_error_text": {"ko": "{text}", "en": "{text}"},
    "notes_never": {"ko": "없음", "en": "never"},
    "notes_kind_folder": {"ko": "[폴더]", "en": "[folder]"},
    "notes_kind_git": {"ko": "[git]", "en": "[git]"},
    "notes_kind_upload": {"ko": "[업로드]", "en": "[upload]"},
    "notes_owner_operator": {"ko": "봇 설정 · 모든 서버", "en": "bot settings · every server"},
    "notes_owner_workspace": {"ko": "여기 전용", "en": "here only"},
    "notes_how_discord": {
        "ko": (
            "추가: /notes add 에 마크다운 파일({types}, 최대 {limit_kb} KB)을 첨부하거나 "
            "/notes add git:<URL>[#브랜치][:폴더] · 다시 가져오기: /notes sync · 빼기: /notes remove <번호>"
        ),
        "en": (
            "Add: attach a markdown file ({types}, up to {limit_kb} KB) to /notes add, or "
            "/notes add git:<url>[#branch][:folder] · pull again: /notes sync · take one away: /notes remove <number>"
        ),
    },
    "notes_how_slack": {
        "ko": (
            "추가: /notes add 로 파일({types}, 최대 {limit_kb} KB)을 올리거나 봇에게 DM으로 보내기, "
            "또는 /notes add git <URL>[#브랜치][:폴더] · 다시 가져오기: /notes sync · 빼기: /notes remove <번호>"
        ),
        "en": (
            "Add: upload a file ({types}, up to {limit_kb} KB) with /notes add or send it to the bot in a DM, "
            "or /notes add git <url>[#branch][:folder] · pull again: /notes sync · take one away: /notes remove <number>"
        ),
    },
    "notes_how_console": {
        "ko": (
            "추가: /notes add <파일 경로> ({types}, 최대 {limit_kb} KB) 또는 /notes add git <URL>[#브랜치][:폴더] · "
            "다시 가져오기: /notes sync · 빼기: /notes remove <번호>"
        ),
        "en": (
            "Add: /notes add <file path> ({types}, up to {limit_kb} KB) or /notes add git <url>[#branch][:folder] · "
            "pull again: /notes sync · take one away: /notes remove <number>"
        ),
    },
    "notes_finding": {"ko": "· {path}:{line} {message}", "en": "· {path}:{line} {message}"},
    "notes_findings_more": {"ko": "· 그 밖에 {count}건", "en": "· and {count} more"},
    "notes_added_file": {
        "ko": "'{name}' 노트를 추가했어요 (여기서만 보여요)",
        "en": "Added the notes '{name}' (seen here only)",
    },
    "notes_added_git": {
        "ko": "git 저장소 {label} 의 노트를 추가했어요 (여기서만 보여요)",
        "en": "Added the notes of the git repository {label} (seen here only)",
    },
    "notes_removed": {
        "ko": "노트 출처를 뺐어요: {source}",
        "en": "Removed the notes source: {source}",
    },
    "notes_removed_summary": {
        "ko": "개념 {removed}개를 지웠어요.",
        "en": "{removed} concept{removed!p} removed.",
    },
    "notes_sync_title": {"ko": "노트 다시 가져오기", "en": "Notes pulled again"},
    "notes_sync_nothing": {
        "ko": "다시 가져올 출처가 없어요 (업로드한 파일은 그대로예요).",
        "en": "No source to pull (uploaded files stay as they are).",
    },
    "notes_sync_line": {"ko": "✓ {label}: {summary}", "en": "✓ {label}: {summary}"},
    "notes_sync_failed_line": {
        "ko": "✗ {label}: {error} — 노트는 그대로예요",
        "en": "✗ {label}: {error} — its notes are unchanged",
    },
    "notes_source_unknown": {
        "ko": "그런 노트 출처가 없어요: {source}. /notes list 로 번호를 확인해 주세요.",
        "en": "No such notes source: {source}. See the numbers with /notes list.",
    },
    "notes_source_configured": {
        "ko": "{source}: 봇 설정의 노트라 여기서 뺄 수 없어요 (운영자가 설정에서 바꿔요).",
        "en": "{source} is part of the bot's configured notes and cannot be removed here (the operator changes the settings).",
    },
    "notes_need_workspace": {
        "ko": "노트는 서버나 워크스페이스 안에서 추가할 수 있어요 (DM에서는 안 돼요).",
        "en": "Notes can be added inside a server (workspace) only.",
    },
    "upload_type": {
        "ko": "'{name}' 파일은 노트 파일이 아니에요. 받는 형식: {types} (최대 {limit_kb} KB)",
        "en": "'{name}' is not a notes file. Accepted: {types} (up to {limit_kb} KB)",
    },
    "upload_refused": {
        "ko": "'{name}' 파일을 추가하지 않았어요: {detail}. 아무것도 바뀌지 않았어요.",
        "en": "Did not add '{name}': {detail}. Nothing was changed.",
    },
    "upload_missing": {
        "ko": "추가할 파일을 첨부하거나 git 저장소 주소를 적어 주세요.",
        "en": "Attach a file to add, or give a git repository address.",
    },
    "upload_download_failed": {
        "ko": "첨부 파일을 받지 못했어요: {reason}. 아무것도 바뀌지 않았어요.",
        "en": "Could not download the attachment: {reason}. Nothing was changed.",
    },
    "curation_not_in_workspace": {
        "ko": "별칭·핵심 포인트·동의어 파일은 봇 설정의 노트에서만 쓰여요: 건너뛰었어요",
        "en": "alias, key point and synonym files apply to the bot's configured notes only: skipped",
    },
    "review_bad_zone": {
        "ko": "알 수 없는 시간대예요: '{zone}' (예: Asia/Seoul, America/New_York)",
        "en": "Unknown time zone: '{zone}' (e.g. Asia/Seoul, America/New_York)",
    },
}


@dataclass(frozen=True, slots=True)
class Msg:
    """A message not yet rendered: a key and its parameters (may nest as another's parameter)."""

    key: str
    params: dict[str, object] = field(default_factory=dict)

    def render(self, locale: str | None = None) -> str:
        """This message in ``locale``."""
        return t(self.key, locale, **self.params)


def language_of(tag: object) -> str | None:
    """``ko`` or ``en`` for a platform's language tag (``ko``, ``ko-KR``, ``en-US``, ``en-GB``),
    else None: the configured language then speaks."""
    value = str(tag or "").casefold()
    if value.startswith("ko"):
        return "ko"
    return "en" if value.startswith("en") else None


def t(key: str, locale: str | None = None, /, **params: object) -> str:
    """The message ``key`` in ``locale`` (Korean when unknown), filled with ``params``.

    Parameters that are :class:`Msg` render in the same locale. A missing parameter is left
    visible as ``{name}`` rather than raising: a message must never turn into an error of its own.
    """
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(locale or DEFAULT_LOCALE) or entry[DEFAULT_LOCALE]
    rendered = {k: v.render(locale) if isinstance(v, Msg) else v for k, v in params.items()}
    grammar = _GRAMMAR_NEEDED.get(text)
    if grammar is None:
        grammar = _GRAMMAR_NEEDED[text] = _CONVERSION.search(text) is not None
    if not grammar:  # plain fields: the C formatter, same result, a fraction of the time
        return text.format_map(_Defaulting(rendered))
    return _FORMATTER.vformat(text, (), _Defaulting(rendered))


# A field with one of the conversions below (``{name!은}``, ``{count!p}``), and whether each
# message text has one (they need the Python formatter).
_CONVERSION: Final = re.compile(r"![^{}:!]+[}:]")
_GRAMMAR_NEEDED: dict[str, bool] = {}


# The particle a conversion names -> (after a final consonant, after a vowel).
PARTICLES: Final[dict[str, tuple[str, str]]] = {
    "은": ("은", "는"),
    "이": ("이", "가"),
    "을": ("을", "를"),
    "과": ("과", "와"),
}


class _Grammar(string.Formatter):
    """``str.format`` plus the particle and plural conversions (see the module docstring)."""

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion in PARTICLES:
            with_final, without_final = PARTICLES[conversion]
            return with_final if has_final_consonant(str(value)) else without_final
        if conversion == "p":
            return "" if str(value) == "1" else "s"
        return super().convert_field(value, conversion)


_FORMATTER: Final = _Grammar()


class _Defaulting(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
