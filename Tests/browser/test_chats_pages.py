"""The Chats pages in a real browser (headless Chromium), against the real services."""
import os
import subprocess

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from conftest import block_urls

XSS_BODY = "<img src=x onerror=alert(1)>"


def direct_chat(api, env, member_id):
    return api.call("POST", "/v1/conversations/direct", env["admin_token"], {"user_id": member_id})


def post_message(api, env, conversation_id, body, token_key="admin_token", client_id=None):
    payload = {"body": body} if client_id is None else {"body": body, "client_id": client_id}
    return api.call("POST", f"/v1/conversations/{conversation_id}/messages", env[token_key], payload)


def circle_options(page):
    """The suggestions the circle field shows now (hidden, stale ones left out)."""
    return [option for option in page.all("#circle-chat-options [role=option]") if option.is_displayed()]


def count_bodies(page, body):
    return [message["body"] for message in page.messages()].count(body)


def no_alert_opens(page):
    try:
        WebDriverWait(page.driver, 1).until(expected_conditions.alert_is_present())
    except TimeoutException:
        return True
    return False


def test_sign_in_removes_the_token_from_the_address_bar(admin_page):
    assert "token=" not in admin_page.driver.current_url
    assert admin_page.driver.execute_script("return sessionStorage.getItem('chat.token')") == admin_page.token


def test_direct_list_shows_the_peer_the_preview_and_the_unread_badge(admin_page, api, env, member_user, unique):
    conversation = direct_chat(api, env, member_user["id"])
    text = f"Question from the member {unique}"
    post_message(api, env, conversation["id"], text, token_key="member_token")

    admin_page.go("#/direct")
    row = admin_page.wait_row(member_user["name"], lambda row: text in row["preview"] and row["unread"] >= 1,
                              "the row does not show the newest message with an unread badge")
    assert row["bold"], "an unread conversation's name is not bold"
    assert row["time"], "the row has no timestamp"
    assert row["avatar"], "the row has no avatar"
    admin_page.wait(lambda: admin_page.nav_unread("direct") >= 1, "the 1:1 tab has no unread badge")
    assert admin_page.text("#new-chat-button") == "New Chat"
    admin_page.screenshot("01-direct-list")
    assert admin_page.script_errors() == []


def test_new_chat_dialog_finds_a_user_by_name_and_lands_in_the_new_chat(admin_page, api, unique):
    name = f"Zelda Browsertest {unique}"
    user = api.put_user(f"zelda-{unique}", name)

    admin_page.go("#/direct")
    admin_page.wait_visible("#new-chat-button").click()
    field = admin_page.wait_visible("#new-chat-user")
    assert admin_page.driver.switch_to.active_element == field, "focus is not in the dialog's field"
    field.send_keys(f"zelda browsertest {unique}")
    option = admin_page.wait_visible("#new-chat-options [role=option]")
    assert user["email"] in option.text, "the suggestion does not show the email"

    field.send_keys(Keys.ESCAPE)  # closes the suggestions, not the dialog
    admin_page.wait(lambda: not admin_page.visible("#new-chat-options"), "Escape left the suggestions open")
    assert admin_page.visible("#new-chat-dialog"), "Escape on open suggestions closed the dialog"

    field.send_keys(Keys.ARROW_DOWN)
    admin_page.wait(lambda: field.get_attribute("aria-activedescendant"), "ArrowDown did not pick an option")
    admin_page.screenshot("02-new-chat-dialog")
    field.send_keys(Keys.ENTER)
    admin_page.wait(lambda: field.get_attribute("value") == name, "Enter did not choose the user")
    submit = admin_page.driver.find_element(By.ID, "new-chat-submit")
    assert submit.is_enabled() and submit.text == "Start Chat"
    submit.click()

    admin_page.wait(lambda: "#/conversations/" in admin_page.driver.current_url, "Start Chat did not open the chat")
    admin_page.wait(lambda: admin_page.text(".conversation-header__title") == name, "wrong conversation header")
    assert admin_page.text(".conversation-header__subtitle") == user["email"]
    assert not admin_page.visible("#new-chat-dialog")
    admin_page.screenshot("03-new-direct-conversation")


def test_enter_sends_and_the_message_shows_once_in_an_own_bubble(admin_page, api, env, member_user, unique):
    conversation = direct_chat(api, env, member_user["id"])
    admin_page.open_conversation(conversation["id"], member_user["name"])
    first_line, second_line = f"Hello from the browser {unique}", "Shift+Enter made this a second line"
    text = f"{first_line}\n{second_line}"
    composer = admin_page.wait_visible(".composer__input")
    composer.send_keys(first_line)
    ActionChains(admin_page.driver).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    assert admin_page.message(text) is None and composer.get_attribute("value") == f"{first_line}\n"
    composer.send_keys(second_line, Keys.ENTER)

    message = admin_page.wait_message(text, lambda message: message["id"] and not message["sending"],
                                      "the sent message is not confirmed")
    assert message["own"], "the sent message is not in an own bubble"
    assert count_bodies(admin_page, text) == 1
    assert admin_page.visible(".composer__input").get_attribute("value") == ""
    stored = api.call("GET", f"/v1/conversations/{conversation['id']}/messages?limit=10", env["admin_token"])["items"]
    assert [item["body"] for item in stored].count(text) == 1

    separators = [element.text for element in admin_page.all(".day__separator")]
    assert separators and separators[-1].lower() == "today"
    admin_page.screenshot("04-message-sent")


def test_second_session_gets_the_message_live_with_an_unread_badge(admin_page, member_page, api, env,
                                                                  admin_user, member_user, unique):
    conversation = direct_chat(api, env, member_user["id"])
    member_page.go("#/direct")
    member_page.wait_row(admin_user["name"])
    member_page.driver.execute_script("window.__sameDocument = true")
    unread_before = member_page.nav_unread("direct")

    admin_page.open_conversation(conversation["id"], member_user["name"])
    text = f"Live delivery check {unique}"
    admin_page.send_with_enter(text)

    member_page.wait_row(admin_user["name"], lambda row: text in row["preview"] and row["unread"] >= 1,
                         "the member's list did not update live with an unread badge")
    member_page.wait(lambda: member_page.rows()[0]["name"] == admin_user["name"], "the row did not move to the top")
    member_page.wait(lambda: member_page.nav_unread("direct") > unread_before, "the 1:1 tab badge did not grow")
    assert member_page.driver.execute_script("return window.__sameDocument") is True, "the page reloaded"
    member_page.screenshot("05-member-list-live-badge")
    # The sender's own live echo came on the same event; its bubble is still single.
    assert count_bodies(admin_page, text) == 1

    member_page.open_row(admin_user["name"])
    message = member_page.wait_message(text)
    assert not message["own"], "another user's message is drawn as the member's own"
    member_page.wait_row(admin_user["name"], lambda row: row["unread"] == 0, "reading the chat did not clear its badge")
    expected = api.call("GET", "/v1/unread", env["member_token"])["direct"]
    member_page.wait(lambda: member_page.nav_unread("direct") == expected, "the 1:1 tab badge disagrees with GET /v1/unread")
    member_page.screenshot("06-member-conversation")

    reply = f"Reply from the member {unique}"
    member_page.send_with_enter(reply)
    admin_page.wait_message(reply, lambda message: not message["own"], "the admin did not get the reply live")
    assert count_bodies(admin_page, reply) == 1


def test_create_circle_chat_offers_only_circles_without_a_chat(admin_page, api, env, member_user, unique):
    taken = api.put_circle(f"taken-{unique}", f"Browsertest Taken {unique}", [member_user["id"]])
    api.call("POST", "/v1/conversations/circle", env["admin_token"],
             {"circle_id": taken["id"], "send_policy": "all_members"})
    fresh = api.put_circle(f"fresh-{unique}", f"Browsertest Fresh {unique}", [member_user["id"]])

    admin_page.go("#/circle")
    admin_page.wait_visible("#new-circle-chat-button").click()
    field = admin_page.wait_visible("#circle-chat-circle")
    field.send_keys("Browsertest")
    admin_page.wait(lambda: any(fresh["name"] in option.text for option in circle_options(admin_page)),
                    "the circle without a chat is not offered")
    # Read in a wait: a later search answer may replace the options between two reads.
    offered = admin_page.wait(lambda: [option.text for option in circle_options(admin_page)])
    assert not any(taken["name"] in text for text in offered), f"a circle with a chat was offered: {offered}"

    field.send_keys(f" Fresh {unique}")
    # Found and clicked in one wait: a later search answer may replace the option in between (stale).
    admin_page.wait(lambda: len(options := circle_options(admin_page)) == 1 and fresh["name"] in options[0].text
                    and (options[0].click() or True), "the search did not narrow to the one circle")
    title = f"Announcements {unique}"
    admin_page.driver.find_element(By.ID, "circle-chat-name").send_keys(title)
    admin_page.driver.find_element(By.CSS_SELECTOR, "input[name=send_policy][value=admins_only]").click()
    admin_page.screenshot("07-create-circle-chat-dialog")
    admin_page.driver.find_element(By.ID, "circle-chat-submit").click()

    admin_page.wait(lambda: admin_page.text(".conversation-header__title") == title, "the new circle chat did not open")
    subtitle = admin_page.text(".conversation-header__subtitle")
    assert fresh["name"] in subtitle and "1 member" in subtitle and "Admin Only" in subtitle
    assert admin_page.visible(".conversation-header__circle-link").get_attribute("href") == fresh["url"]
    posted = f"Admins can post here {unique}"
    admin_page.send_with_enter(posted)
    admin_page.wait_message(posted, lambda message: message["own"] and message["id"], "the admin could not send")
    row = admin_page.wait_row(fresh["name"])
    assert "Admin Only" in row["text"] and title in row["text"]
    admin_page.screenshot("08-circle-conversation-admin")


def test_member_sees_the_admins_only_notice_and_no_composer(member_page, api, env, member_user, unique):
    circle = api.put_circle(f"news-{unique}", f"Browsertest News {unique}", [member_user["id"]])
    member_page.go("#/circle")
    member_page.wait(lambda: member_page.text("#list-heading") == "Circle Chats", "the circle list did not open")
    assert not member_page.visible("#new-circle-chat-button"), "a member sees Create Circle Chat"
    conversation = api.call("POST", "/v1/conversations/circle", env["admin_token"],
                            {"circle_id": circle["id"], "send_policy": "admins_only"})
    news = f"Read-only news {unique}"
    post_message(api, env, conversation["id"], news)

    # Arrives live (conversation.created, then message.created).
    member_page.wait_row(circle["name"], lambda row: "Admin Only" in row["text"] and news in row["preview"],
                         "the new admins-only chat did not arrive live with its badge and preview")
    member_page.screenshot("09-member-circle-list")
    member_page.open_row(circle["name"])
    notice = member_page.wait_visible(".send-notice")
    assert notice.text == "Only admins can send messages in this chat."
    assert not member_page.visible(".composer"), "a member has a composer in an admins-only chat"
    member_page.wait_message(news)
    member_page.go("#/direct")
    member_page.wait(lambda: member_page.text("#list-heading") == "1:1 Chats", "the 1:1 list did not open")
    assert not member_page.visible("#new-chat-button"), "a member sees New Chat"
    member_page.open_conversation(conversation["id"], circle["name"])
    member_page.wait_visible(".send-notice")
    member_page.screenshot("10-member-admins-only-notice")


def test_a_markup_body_is_shown_as_text_and_never_run(admin_page, member_page, api, env, admin_user, member_user):
    conversation = direct_chat(api, env, member_user["id"])
    member_page.go("#/direct")
    admin_page.open_conversation(conversation["id"], member_user["name"])
    admin_page.send_with_enter(XSS_BODY)

    admin_page.wait_message(XSS_BODY, lambda message: message["own"] and message["id"],
                            "the markup body is not shown as text")
    member_page.wait_row(admin_user["name"], lambda row: XSS_BODY in row["preview"], "the preview is not shown as text")
    for page in (admin_page, member_page):
        assert no_alert_opens(page), "the message body ran as script (an alert opened)"
        assert page.all(".timeline__days img, .conversation-row__preview img") == []
    admin_page.screenshot("11-markup-as-text")


def test_narrow_window_shows_one_pane_at_a_time(admin_page, api, env, member_user):
    conversation = direct_chat(api, env, member_user["id"])
    driver = admin_page.driver
    driver.set_window_size(390, 800)
    try:
        admin_page.go("#/direct")
        admin_page.wait_row(member_user["name"])
        assert not admin_page.visible("#conversation-pane")
        admin_page.screenshot("12-narrow-list")
        admin_page.open_conversation(conversation["id"], member_user["name"])
        assert not admin_page.visible(".list-pane")
        admin_page.screenshot("13-narrow-conversation")
        admin_page.wait_visible(".conversation-header__back").click()
        admin_page.wait_visible(".list-pane")
    finally:
        driver.set_window_size(1280, 860)


def test_a_lost_stream_shows_reconnecting_and_catches_up_without_reload(own_gateway, new_page, api, env,
                                                                      admin_user, member_user, unique):
    conversation = direct_chat(api, env, member_user["id"])
    page = new_page(env["member_token"], own_gateway.url)
    page.go("#/direct")
    page.wait_row(admin_user["name"])
    page.driver.execute_script("window.__sameDocument = true")

    def wait_preview(text, message, timeout=15):
        page.wait(lambda: (row := page.row(admin_user["name"])) and text in row["preview"], message, timeout)

    before = f"Before the outage {unique}"
    post_message(api, env, conversation["id"], before)
    wait_preview(before, "the stream from the page's own gateway did not deliver")
    assert page.visible("#connection-banner") is None

    own_gateway.stop()
    page.wait(lambda: page.text("#connection-banner") == "Reconnecting…", "no Reconnecting banner after losing the stream")
    during = f"Sent while the gateway was down {unique}"
    post_message(api, env, conversation["id"], during)
    page.screenshot("14-reconnecting-banner")

    own_gateway.start()
    wait_preview(during, "the message sent during the outage never arrived", timeout=30)
    page.wait(lambda: page.visible("#connection-banner") is None, "the banner stayed after the stream came back")
    assert page.driver.execute_script("return window.__sameDocument") is True, "the page reloaded"


def test_scrolling_up_loads_older_history_and_keeps_the_reader_in_place(admin_page, api, env, unique):
    user = api.put_user(f"history-{unique}", f"History Reader {unique}")
    conversation = direct_chat(api, env, user["id"])
    bodies = [f"History {number:02d} {unique}" for number in range(1, 56)]
    for number, body in enumerate(bodies):
        post_message(api, env, conversation["id"], body, client_id=f"history-{unique}-{number}")

    admin_page.open_conversation(conversation["id"], user["name"])
    admin_page.wait_message(bodies[-1])
    first_page = [message["body"] for message in admin_page.messages()]
    assert bodies[0] not in first_page, "the first page already holds the whole history"

    admin_page.driver.execute_script("document.querySelector('.timeline').scrollTop = 0")
    admin_page.wait_message(bodies[0], message="scrolling up did not load older messages")
    assert [message["body"] for message in admin_page.messages()] == bodies, \
        "history is incomplete, duplicated or out of order"
    top = admin_page.driver.execute_script("return document.querySelector('.timeline').scrollTop")
    assert top > 0, "the view jumped to the top instead of keeping the reader in place"
    admin_page.driver.execute_script("document.querySelector('.timeline').scrollTop = 0")
    admin_page.wait(lambda: admin_page.text(".timeline__status") == "This is the beginning of the conversation.",
                    "the top of the history is not marked")


def insert_as_dba(conversation_id, sender_id, body, created_at):
    """A message written with plain SQL, at a chosen time (the API always stamps "now")."""
    subprocess.run(
        ["psql", os.environ["DATABASE_URL"], "-qAt", "-v", "ON_ERROR_STOP=1",
         "-v", f"conversation={conversation_id}", "-v", f"sender={sender_id}",
         "-v", f"body={body}", "-v", f"created={created_at}"],
        input="INSERT INTO chat.messages (conversation_id, sender_id, body, created_at) "
              "VALUES (:'conversation', :'sender', :'body', :'created');\n",
        text=True, check=True, capture_output=True)


def test_days_are_separated_in_the_viewers_time_zone(new_page, api, env, admin_user, unique):
    user = api.put_user(f"tokyo-{unique}", f"Time Zone Reader {unique}")
    conversation = direct_chat(api, env, user["id"])
    # A past year, so the separators carry the year whatever today's date is.
    late, early = f"Late on the 14th in UTC {unique}", f"Early on the 15th in UTC {unique}"
    insert_as_dba(conversation["id"], admin_user["id"], late, "2025-01-14T23:30:00Z")
    insert_as_dba(conversation["id"], admin_user["id"], early, "2025-01-15T01:00:00Z")
    the_14th, the_15th = "Tuesday, January 14, 2025", "Wednesday, January 15, 2025"
    script = """return [...document.querySelectorAll('.timeline .day')].map((day) => [
        day.querySelector('.day__separator').textContent,
        [...day.querySelectorAll('.message__body')].map((body) => body.textContent)]);"""

    for timezone, expected in [
        ("Asia/Tokyo", [[the_15th, [late, early]]]),
        ("UTC", [[the_14th, [late]], [the_15th, [early]]]),
        ("America/Los_Angeles", [[the_14th, [late, early]]]),
    ]:
        page = new_page(env["admin_token"], timezone=timezone)
        page.open_conversation(conversation["id"], user["name"])
        page.wait(lambda: page.driver.execute_script(script) == expected,
                  f"days in {timezone}: {page.driver.execute_script(script)}")
        if timezone == "UTC":
            page.screenshot("15-days-in-utc")


def test_an_unknown_token_shows_the_signed_out_notice(new_page):
    page = new_page("not-a-real-token", sign_in=False)
    notice = page.wait_visible("#signed-out")
    assert "session has ended" in notice.text
    assert not page.visible("#main")
    assert page.driver.execute_script("return sessionStorage.getItem('chat.token')") is None


def test_reading_in_one_tab_clears_the_badge_in_another(new_page, api, env, admin_user, member_user, unique):
    conversation = direct_chat(api, env, member_user["id"])
    text = f"Read me in the other tab {unique}"
    post_message(api, env, conversation["id"], text)
    watching, reading = new_page(env["member_token"]), new_page(env["member_token"])
    watching.go("#/direct")
    watching.wait_row(admin_user["name"], lambda row: text in row["preview"] and row["unread"] >= 1,
                      "the watching tab shows no unread badge")

    reading.open_conversation(conversation["id"], admin_user["name"])
    reading.wait_message(text)
    watching.wait_row(admin_user["name"], lambda row: row["unread"] == 0 and not row["bold"],
                      "reading in one tab did not clear the badge in the other (read.updated)")


def test_a_member_removed_from_the_circle_loses_the_open_chat_live(member_page, api, env, member_user, unique):
    circle = api.put_circle(f"leaving-{unique}", f"Browsertest Leaving {unique}", [member_user["id"]])
    conversation = api.call("POST", "/v1/conversations/circle", env["admin_token"],
                            {"circle_id": circle["id"], "send_policy": "all_members"})
    member_page.open_conversation(conversation["id"], circle["name"])
    # The history loaded (the chat's creation notice shows): the loss comes over the stream,
    # not as a 404 of a history request still in flight (which has its own notice).
    member_page.wait(lambda: member_page.messages(), "the chat's history did not load")

    api.service("DELETE", f"/v1/circles/{circle['id']}/members/{member_user['id']}")
    member_page.wait(lambda: "#/circle" in member_page.driver.current_url, "the removed member still sees the chat")
    member_page.wait(lambda: any("no longer have access" in t for t in member_page.toasts()), "no notice about the lost access")
    member_page.wait(lambda: member_page.row(circle["name"]) is None, "the chat is still in the member's list")


def test_an_api_error_is_shown_in_a_toast_with_the_api_message(admin_page, api, env, unique):
    name = f"Soon Inactive {unique}"
    user = api.put_user(f"inactive-{unique}", name)
    admin_page.go("#/direct")
    admin_page.wait_visible("#new-chat-button").click()
    field = admin_page.wait_visible("#new-chat-user")
    field.send_keys(name)
    admin_page.wait_visible("#new-chat-options [role=option]")
    field.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    admin_page.wait(lambda: field.get_attribute("value") == name, "the user was not chosen")

    api.put_user(user["id"], name, active=False)  # gone between the search and the click
    refusal = api.call("POST", "/v1/conversations/direct", env["admin_token"], {"user_id": user["id"]},
                       expect=(404, 422))["error"]["message"]
    admin_page.driver.find_element(By.ID, "new-chat-submit").click()
    admin_page.wait(lambda: refusal in admin_page.toasts(".toast--error .toast__text"), f"no toast saying {refusal!r}")
    assert admin_page.visible("#new-chat-dialog"), "the dialog closed although the chat was not started"
    admin_page.screenshot("16-api-error-toast")
    admin_page.driver.find_element(By.CSS_SELECTOR, "#new-chat-dialog [data-dialog-cancel]").click()


def test_a_failed_send_stays_on_screen_and_retry_stores_it_once(admin_page, api, env, unique):
    user = api.put_user(f"retry-{unique}", f"Retry Reader {unique}")
    conversation = direct_chat(api, env, user["id"])
    admin_page.open_conversation(conversation["id"], user["name"])
    text = f"Sent through an outage {unique}"

    block_urls(admin_page.driver, "*/messages")  # the send cannot reach chat-api
    try:
        admin_page.send_with_enter(text)
        admin_page.wait_message(text, lambda message: message["failed"], "the failed message is not marked")
        admin_page.wait(lambda: any("Cannot reach the chat service" in t for t in admin_page.toasts(".toast--error .toast__text")),
                        "no toast for the failed send")
        admin_page.screenshot("17-failed-send")
    finally:
        block_urls(admin_page.driver)

    retry = admin_page.driver.find_element(By.CSS_SELECTOR, ".message--failed .link-button")
    assert retry.text == "Retry"
    retry.click()
    admin_page.wait_message(text, lambda message: message["id"] and not message["failed"], "Retry did not send it")
    assert count_bodies(admin_page, text) == 1
    stored = api.call("GET", f"/v1/conversations/{conversation['id']}/messages", env["admin_token"])["items"]
    assert [item["body"] for item in stored] == [text]


def test_a_policy_change_reaches_an_open_chat_live(member_page, api, env, member_user, unique):
    circle = api.put_circle(f"policy-{unique}", f"Browsertest Policy {unique}", [member_user["id"]])
    conversation = api.call("POST", "/v1/conversations/circle", env["admin_token"],
                            {"circle_id": circle["id"], "send_policy": "all_members"})
    member_page.open_conversation(conversation["id"], circle["name"])
    member_page.wait_visible(".composer")

    title = f"Announcements only {unique}"
    api.call("PATCH", f"/v1/conversations/{conversation['id']}", env["admin_token"],
             {"title": title, "send_policy": "admins_only"})
    member_page.wait(lambda: member_page.text(".conversation-header__title") == title, "the new title did not arrive live")
    member_page.wait(lambda: member_page.text(".send-notice") == "Only admins can send messages in this chat.",
                     "the admins-only notice did not appear live (conversation.updated)")
    assert not member_page.visible(".composer"), "the composer stayed after the chat became admins-only"
    member_page.wait_row(circle["name"], lambda row: "Admin Only" in row["text"] and title in row["text"],
                         "the list row did not take the new title and policy")
