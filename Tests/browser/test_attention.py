"""Mentions, typing, "Seen", mute, mark unread and search in a real browser, live across pages
(API.md, "Attention: mentions, typing, receipts, mute, mark unread, search")."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from test_chats_pages import XSS_BODY, direct_chat, no_alert_opens, post_message

ROW_ATTENTION_SCRIPT = """
return [...document.querySelectorAll('.conversation-row')].map((row) => ({
  id: row.dataset.conversationId,
  mentions: Number(row.querySelector('.mention-badge')?.dataset.mentions ?? 0),
  muted: row.classList.contains('conversation-row--muted') && row.querySelector('.conversation-row__muted') !== null,
  unread: Number(row.querySelector('.badge')?.dataset.count ?? 0),
  badgeColour: row.querySelector('.badge') ? getComputedStyle(row.querySelector('.badge')).backgroundColor : null,
}));
"""


def row_state(page, conversation_id):
    """The list row of a conversation as `{mentions, muted, unread, badgeColour}`, or None."""
    return next((row for row in page.driver.execute_script(ROW_ATTENTION_SCRIPT) if row["id"] == conversation_id), None)


def wait_row_state(page, conversation_id, until, message):
    return page.wait(lambda: (row := row_state(page, conversation_id)) is not None and until(row) and row, message)


def mention_options(page):
    """The suggested members, by name element (the option also shows an avatar's initials)."""
    return {option.find_element(By.CSS_SELECTOR, ".mention-option__name").text: option
            for option in page.all("#mention-options [role=option]") if option.is_displayed()}


def typing_line(page):
    return page.text(".typing-line")


def typing_requests(page):
    """How many POST .../typing this page made (the browser's own resource timings)."""
    return page.driver.execute_script(
        "return performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('/typing')).length")


def receipt(page, message_id):
    return page.driver.execute_script(
        "return document.querySelector(`.timeline [data-message-id='${arguments[0]}'] .message__receipt`)?.textContent ?? ''",
        str(message_id))


def test_mention_autocomplete_highlight_and_badge(admin_page, member_page, api, env, admin_user, member_user, unique):
    other = api.put_user(f"mentionable-{unique}", f"Quinn Mentionable {unique}")
    circle = api.put_circle(f"mentions-{unique}", f"Browsertest Mentions {unique}", [member_user["id"], other["id"]])
    conversation = api.call("POST", "/v1/conversations/circle", env["admin_token"],
                            {"circle_id": circle["id"], "send_policy": "all_members"})
    member_page.go("#/circle")
    member_page.wait_row(circle["name"])
    admin_page.open_conversation(conversation["id"], circle["name"])

    # Keyboard: "@" and the start of a first name list the members who match; Enter picks the first.
    field = admin_page.wait_visible(".composer__input")
    member_first = member_user["name"].split()[0]
    field.send_keys(f"Hi @{member_first[:3]}")
    admin_page.wait(lambda: member_user["name"] in mention_options(admin_page), "typing @ did not list the member")
    assert admin_user["name"] not in mention_options(admin_page), "the user is offered to mention themselves"
    assert field.get_attribute("aria-expanded") == "true"
    admin_page.screenshot("28-mention-autocomplete")
    field.send_keys(Keys.ENTER)  # picks, does not send
    admin_page.wait(lambda: field.get_attribute("value") == f"Hi @{member_user['name']} ", "Enter did not insert the name")
    assert not admin_page.visible("#mention-options"), "the suggestions stayed open after a pick"

    # Mouse: a second mention picked with a click; Escape closes the list without sending.
    field.send_keys("and @quinn")
    admin_page.wait(lambda: mention_options(admin_page).get(other["name"]), "the other member is not offered").click()
    text = f"Hi @{member_user['name']} and @{other['name']} please look {unique}"
    field.send_keys(f"please look {unique}")
    assert field.get_attribute("value") == text
    field.send_keys(" @", Keys.ESCAPE)
    assert not admin_page.visible("#mention-options")
    field.send_keys(Keys.BACKSPACE, Keys.BACKSPACE, Keys.ENTER)

    sent = admin_page.wait_message(text, lambda message: message["id"], "the message with mentions was not sent")
    stored = api.call("GET", f"/v1/conversations/{conversation['id']}/messages/{sent['id']}", env["admin_token"])
    assert [user["id"] for user in stored["mentions"]] == [member_user["id"], other["id"]]

    # The mentioned member's list: an `@` badge beside the unread count, live.
    wait_row_state(member_page, conversation["id"], lambda row: row["mentions"] == 1 and row["unread"] >= 1,
                   "the mentioned member's row has no @ badge")
    member_page.screenshot("29-mention-badge")

    # In the timeline: both mentions highlighted, the reader's own name stronger; markup stays text.
    member_page.open_row(circle["name"])
    member_page.wait_message(text)
    spans = member_page.driver.execute_script(
        "return [...document.querySelectorAll('.timeline .message__body .mention')].map((span) => "
        "({text: span.textContent, me: span.classList.contains('mention--me')}))")
    assert {"text": f"@{member_user['name']}", "me": True} in spans
    assert {"text": f"@{other['name']}", "me": False} in spans
    member_page.screenshot("30-mentions-highlighted")
    wait_row_state(member_page, conversation["id"], lambda row: row["mentions"] == 0 and row["unread"] == 0,
                   "the @ badge stayed after reading")

    # A live message that mentions the reader is highlighted as it arrives.
    live = api.call("POST", f"/v1/conversations/{conversation['id']}/messages", env["admin_token"],
                    {"body": f"@{member_user['name']} live {unique}", "mentions": [member_user["id"]]})
    member_page.wait(lambda: member_page.driver.execute_script(
        "return document.querySelector(`.timeline [data-message-id='${arguments[0]}'] .mention--me`)?.textContent",
        str(live["id"])) == f"@{member_user['name']}", "a live mention is not highlighted")

    # "Seen by N" on the admin's own message once the member has read it (and written after it).
    post_message(api, env, conversation["id"], f"Seen it {unique}", token_key="member_token")
    admin_page.wait(lambda: receipt(admin_page, sent["id"]) == "Seen by 1", "no 'Seen by 1' on the admin's message")
    admin_page.item(sent["id"]).find_element(By.CSS_SELECTOR, ".message__receipt").click()
    readers = admin_page.wait_visible(".readers")
    admin_page.wait(lambda: member_user["name"] in readers.text, "the readers list does not name the member")
    admin_page.screenshot("31-seen-by")
    readers.send_keys(Keys.ESCAPE)
    admin_page.wait(lambda: not admin_page.visible(".readers"), "Escape did not close the readers list")
    for page in (admin_page, member_page):
        assert page.script_errors() == []


def test_typing_line_and_seen_reach_the_other_page_live(admin_page, member_page, api, env, admin_user, member_user,
                                                        unique):
    conversation = direct_chat(api, env, member_user["id"])
    member_page.open_conversation(conversation["id"], admin_user["name"])
    admin_page.open_conversation(conversation["id"], member_user["name"])
    before = typing_requests(admin_page)

    # Typing in one page shows "... is typing..." in the other, never in the typist's own.
    admin_page.wait_visible(".composer__input").send_keys(f"Typing slowly {unique}")
    member_page.wait(lambda: typing_line(member_page) == f"{admin_user['name']} is typing...",
                     "the member's page does not say the admin is typing")
    assert typing_line(admin_page) == ""
    member_page.screenshot("32-typing-line")
    sent = typing_requests(admin_page) - before
    assert 1 <= sent <= 2, f"{sent} typing notices for one burst of keys (at most one per 2 s)"

    # The message arrives and the line goes at once.
    admin_page.wait_visible(".composer__input").send_keys(Keys.ENTER)
    member_page.wait_message(f"Typing slowly {unique}")
    member_page.wait(lambda: typing_line(member_page) == "", "the typing line stayed after the message arrived")

    # Without a message, the line goes by itself after 5 s of silence.
    api.call("POST", f"/v1/conversations/{conversation['id']}/typing", env["member_token"])
    admin_page.wait(lambda: typing_line(admin_page) == f"{member_user['name']} is typing...",
                    "the admin's page does not say the member is typing")
    admin_page.wait(lambda: typing_line(admin_page) == "", "the typing line did not go after 5 s", timeout=12)

    # "Seen": under the admin's newest message once the member's page has read it, live.
    member_page.go("#/direct")
    member_page.wait(lambda: not member_page.visible(".conversation-header"), "the member's conversation did not close")
    news = post_message(api, env, conversation["id"], f"Will you see this {unique}?")
    admin_page.wait_message(news["body"])
    assert receipt(admin_page, news["id"]) == "", "'Seen' before the member read it"
    member_page.open_conversation(conversation["id"], admin_user["name"])
    member_page.wait_message(news["body"])
    admin_page.wait(lambda: receipt(admin_page, news["id"]) == "Seen", "'Seen' did not appear live")
    assert admin_page.driver.execute_script("return document.querySelectorAll('.timeline .message__receipt').length") == 1
    admin_page.screenshot("33-seen")
    for page in (admin_page, member_page):
        assert page.script_errors() == []


def test_search_jumps_to_an_old_message_with_a_safe_highlight(admin_page, api, env, unique):
    user = api.put_user(f"searched-{unique}", f"Search Target {unique}")
    conversation = direct_chat(api, env, user["id"])
    word = f"Zanzibar{unique}"
    for number in range(5):
        post_message(api, env, conversation["id"], f"Earlier filler {number} {unique}",
                     client_id=f"search-early-{unique}-{number}")
    old = post_message(api, env, conversation["id"], f"{XSS_BODY} the old note about {word} trips")
    for number in range(70):  # more than the first page of 50
        post_message(api, env, conversation["id"], f"Later filler {number:02d} {unique}",
                     client_id=f"search-filler-{unique}-{number}")

    admin_page.go("#/direct")
    try:
        search_and_jump(admin_page, user, old, word, unique)
    finally:  # the lists come back for the tests that follow, whatever happened
        admin_page.driver.execute_script(
            "const box = document.getElementById('search-input'); box.value = '';"
            " box.dispatchEvent(new Event('input'));")


def search_and_jump(admin_page, user, old, word, unique):
    field = admin_page.wait_visible("#search-input")
    field.send_keys(word[:-2].lower())  # a prefix, in another case
    hit = admin_page.wait_visible(f'.search-hit[data-message-id="{old["id"]}"]')
    group = admin_page.driver.execute_script("return arguments[0].closest('.search-group')", hit)
    assert user["name"] in group.find_element(By.CSS_SELECTOR, ".search-group__title").text
    marks = [mark.text for mark in hit.find_elements(By.CSS_SELECTOR, "mark")]
    assert marks == [word], marks
    assert XSS_BODY in hit.text, "the escaped markup is not shown as text"
    assert admin_page.all(".search-results img") == [], "markup in a highlight became an element"
    assert not admin_page.visible("#conversation-list"), "the lists stayed beside the results"
    admin_page.screenshot("34-search-results")

    hit.click()
    admin_page.wait(lambda: admin_page.driver.execute_script(
        "return document.activeElement.closest('.timeline .message')?.dataset.messageId") == str(old["id"]),
        "the result did not open the conversation at its message")
    assert admin_page.text(".conversation-header__title") == user["name"]
    in_view = admin_page.driver.execute_script(
        "const item = arguments[0].getBoundingClientRect(), timeline = document.querySelector('.timeline')"
        ".getBoundingClientRect(); return item.top >= timeline.top && item.bottom <= timeline.bottom;",
        admin_page.item(old["id"]))
    assert in_view, "the found message is not scrolled into view"
    admin_page.screenshot("35-search-jump")
    assert no_alert_opens(admin_page)

    # Scrolling down loads the newer pages up to the newest message.
    newest = f"Later filler 69 {unique}"
    admin_page.wait(lambda: admin_page.driver.execute_script(
        "const timeline = document.querySelector('.timeline'); timeline.scrollTop = timeline.scrollHeight;"
        " return true") and admin_page.message(newest) is not None, "scrolling down did not load the newer messages")

    # Escape in the box brings the lists back.
    field.send_keys(Keys.ESCAPE)
    admin_page.wait(lambda: admin_page.visible("#conversation-list") and not admin_page.visible("#search-results"),
                    "Escape did not bring the lists back")
    assert admin_page.script_errors() == []


def test_mute_and_mark_unread_reach_the_other_tab(member_page, new_page, api, env, member_user, unique):
    circle = api.put_circle(f"mute-{unique}", f"Browsertest Mute {unique}", [member_user["id"]])
    conversation = api.call("POST", "/v1/conversations/circle", env["admin_token"],
                            {"circle_id": circle["id"], "send_policy": "all_members"})
    post_message(api, env, conversation["id"], f"First news {unique}")
    second = post_message(api, env, conversation["id"], f"Second news {unique}")
    third = post_message(api, env, conversation["id"], f"Third news {unique}")
    other_tab = new_page(env["member_token"])
    other_tab.go("#/circle")
    wait_row_state(other_tab, conversation["id"], lambda row: row["unread"] == 3, "the other tab has no unread count")

    # Mute from the header: the other tab's row shows it, the nav badges leave it out.
    member_page.open_conversation(conversation["id"], circle["name"])
    member_page.wait_message(third["body"])
    mute = member_page.wait_visible(".conversation-header__mute")
    assert mute.get_attribute("aria-pressed") == "false"
    mute.click()
    member_page.wait(lambda: mute.get_attribute("aria-pressed") == "true", "the mute toggle is not pressed")
    wait_row_state(other_tab, conversation["id"], lambda row: row["muted"], "the other tab did not show the mute live")
    assert api.call("GET", f"/v1/conversations/{conversation['id']}", env["member_token"])["muted"] is True

    member_page.go("#/circle")  # an open conversation would read the next message at once
    member_page.wait(lambda: not member_page.visible(".conversation-header"), "the conversation did not close")
    fourth = post_message(api, env, conversation["id"], f"Fourth news while muted {unique}")
    row = wait_row_state(other_tab, conversation["id"], lambda row: row["unread"] == 1,
                         "a muted conversation's count is not kept")
    assert row["badgeColour"] != "rgb(67, 56, 202)", "a muted conversation's count is not shown muted"
    nav = api.call("GET", "/v1/unread", env["member_token"])
    other_tab.wait(lambda: other_tab.nav_unread("circle") == nav["circle"], "the nav badge is not GET /v1/unread's")
    other_tab.screenshot("36-muted-row")

    # Mark unread from the second message: back to the list, counts updated in both tabs.
    member_page.open_conversation(conversation["id"], circle["name"])
    member_page.wait_message(fourth["body"])
    for page in (member_page, other_tab):
        wait_row_state(page, conversation["id"], lambda row: row["unread"] == 0, "opening did not read the conversation")
    member_page.act(second["id"], "unread")
    member_page.wait(lambda: not member_page.visible(".conversation-header"), "mark unread did not close the conversation")
    assert member_page.driver.current_url.endswith("#/circle")
    for page in (member_page, other_tab):
        wait_row_state(page, conversation["id"], lambda row: row["unread"] == 3,
                       "the row does not count the messages marked unread")
    state = api.call("GET", f"/v1/conversations/{conversation['id']}", env["member_token"])
    assert state["last_read_seq"] == second["seq"] - 1 and state["unread_count"] == 3
    member_page.screenshot("37-marked-unread")

    # Unmute from the other tab: the first one follows.
    other_tab.open_conversation(conversation["id"], circle["name"])
    other_tab.wait_visible(".conversation-header__mute").click()
    member_page.wait(lambda: (row := row_state(member_page, conversation["id"])) is not None and not row["muted"],
                     "the unmute did not reach the first tab")
    for page in (member_page, other_tab):
        assert page.script_errors() == []
